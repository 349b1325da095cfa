import { ConfigError, ErrorCodes } from '@brine/contracts';
import { fnmatch } from '../keystore/glob.js';

/** Salt target types Brine understands (compound is not implemented yet). */
export type TargetType = 'glob' | 'list' | 'pcre';

export const TARGET_TYPES: readonly TargetType[] = ['glob', 'list', 'pcre'];

/** A target as it travels in a job: `tgt` is a string, or an array for `list`. */
export type Target = string | readonly string[];

/**
 * Salt's matchers: `glob_match` (fnmatch), `list_match` (comma-separated string or list),
 * `pcre_match` (`re.match`: anchored at the start only). Throws ConfigError for an unknown type or a
 * bad regular expression.
 */
export function matchTarget(id: string, tgt: Target, tgtType: string = 'glob'): boolean {
  switch (tgtType) {
    case 'glob':
      return typeof tgt === 'string' && fnmatch(id, tgt);
    case 'list': {
      const list = typeof tgt === 'string' ? tgt.split(',') : tgt;
      return list.some((t) => t.trim() === id);
    }
    case 'pcre': {
      if (typeof tgt !== 'string') return false;
      return compilePcre(tgt).test(id);
    }
    default:
      throw new ConfigError(
        ErrorCodes.INVALID_ARGUMENT,
        `unsupported target type '${tgtType}' (supported: ${TARGET_TYPES.join(', ')})`,
      );
  }
}

const regexCache = new Map<string, RegExp>();

function compilePcre(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    try {
      re = new RegExp(`^(?:${pattern})`);
    } catch (error) {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `bad pcre target ${JSON.stringify(pattern)}`, {
        cause: error,
      });
    }
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(pattern, re);
  }
  return re;
}

/** The ids among `known` that the target selects (Salt's `CkMinions.check_minions`). */
export function selectMinions(known: Iterable<string>, tgt: Target, tgtType: string = 'glob'): string[] {
  const out: string[] = [];
  for (const id of known) if (matchTarget(id, tgt, tgtType)) out.push(id);
  return out;
}
