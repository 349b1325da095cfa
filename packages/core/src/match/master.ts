/**
 * The master's side of targeting: which known minions does (tgt, tgt_type) select, i.e. whose
 * returns does a publish wait for. Salt 3008's salt/utils/minions.py CkMinions.check_minions
 * with greedy=True and minion_data_cache=True (the defaults for `salt ...`), over an index of
 * accepted minions and what the master has cached for each (grains, pillar):
 * - grain/pillar targets select only minions with cached data that matches; a minion whose
 *   grains are not cached is left out (3006.30, 3007.17, 3008: salt#68976). Older masters
 *   (3007.1, 3007.13) selected every minion without cached data: `cacheMissing: 'include'`;
 * - ipcidr targets keep every minion whose grains are not cached (all Salt versions);
 * - compound targets combine per-term sets with Python's set algebra (`not` is "all minus"),
 *   a malformed expression selects nobody, `R@` selects nobody (Salt raises inside);
 * - list targets also report the ids that are not known (`missing`), except under a `not`;
 * - an invalid regular expression selects nobody (Salt logs and returns []).
 * Glob words are fnmatch over the whole word, as the minions evaluate them. (A real 3008
 * master goes through salt.key.Key.glob_match, which splits a glob at ',' into several;
 * minions do not, so `salt 'a,b'` waits for minions that never answer. Not copied.)
 */
import { TargetError } from './errors.js';
import { fnmatch } from './fnmatch.js';
import { ipTargetMatches, parseIpTarget } from './ipaddr.js';
import { LIMITS, checkLength } from './limits.js';
import type { Nodegroups } from './nodegroups.js';
import { nodegroupComp } from './nodegroups.js';
import { parseTarget } from './parse-target.js';
import type { SetToken } from './pyexpr.js';
import { evalSetExpr } from './pyexpr.js';
import { compilePyRegex } from './pyregex.js';
import { pySplit } from './pystr.js';
import type { MatchMode } from './subdict.js';
import { subdictMatch } from './subdict.js';
import type { Target } from './minion.js';

export interface MinionRecord {
  readonly id: string;
  /** Cached grains; undefined: no cache entry for this minion yet. */
  readonly grains?: Readonly<Record<string, unknown>> | null;
  /** Cached pillar; undefined: none cached. */
  readonly pillar?: Readonly<Record<string, unknown>> | null;
}

export interface SelectOptions {
  readonly nodegroups?: Nodegroups;
  /** The publish's `delimiter` for grain/pillar targets (default ':'). */
  readonly delimiter?: string;
  /**
   * Grain/pillar targets and minions without cached data: 'exclude' (Salt 3006.30, 3007.17,
   * 3008.x, default) or 'include' (3007.1 and 3007.13).
   */
  readonly cacheMissing?: 'exclude' | 'include';
}

export interface Selection {
  readonly minions: string[];
  /** List-target ids that are not known minions. */
  readonly missing: string[];
}

class Nobody extends Error {}

interface Ctx {
  readonly all: readonly MinionRecord[];
  readonly ids: readonly string[];
  readonly idSet: ReadonlySet<string>;
  readonly nodegroups: Nodegroups;
  readonly cacheMissing: 'exclude' | 'include';
}

interface Part {
  minions: string[];
  missing: string[];
}

const part = (minions: string[], missing: string[] = []): Part => ({ minions, missing });

function globMinions(ctx: Ctx, expr: unknown): Part {
  if (typeof expr !== 'string') throw new Nobody();
  return part(ctx.ids.filter((id) => fnmatch(id, expr)));
}

function pcreMinions(ctx: Ctx, expr: unknown): Part {
  if (typeof expr !== 'string') throw new Nobody();
  let re: RegExp;
  try {
    re = compilePyRegex(expr);
  } catch (err) {
    if (err instanceof TargetError && err.reason === 'invalid') throw new Nobody();
    throw err;
  }
  return part(
    ctx.ids.filter((id) => {
      re.lastIndex = 0;
      return re.test(id);
    }),
  );
}

function listMinions(ctx: Ctx, expr: unknown, ignoreMissing: boolean): Part {
  let items: unknown[];
  if (typeof expr === 'string') items = expr.split(',').filter((m) => m !== '');
  else if (Array.isArray(expr)) items = expr;
  else throw new Nobody();
  const matched = items.filter((x): x is string => typeof x === 'string' && ctx.idSet.has(x));
  const missing = ignoreMissing ? [] : items.filter((x) => !(typeof x === 'string' && ctx.idSet.has(x))).map(String);
  return part([...new Set(matched)], missing);
}

/** CkMinions._check_cache_minions (greedy). */
function cacheMinions(ctx: Ctx, expr: string, delimiter: string, what: 'grains' | 'pillar', mode: MatchMode): Part {
  const cached = ctx.all.filter((m) => m.grains !== undefined && m.grains !== null);
  if (ctx.cacheMissing === 'include') {
    if (cached.length === 0) return part([...ctx.ids]);
    const drop = new Set(
      cached.filter((m) => !subdictMatch(m[what] ?? null, expr, { delimiter, mode })).map((m) => m.id),
    );
    return part(ctx.ids.filter((id) => !drop.has(id)));
  }
  return part(
    cached
      .filter((m) => {
        const data = m[what];
        return data !== undefined && data !== null && subdictMatch(data, expr, { delimiter, mode });
      })
      .map((m) => m.id),
  );
}

/** CkMinions._check_ipcidr_minions (greedy): minions without cached grains are kept. */
function ipcidrMinions(ctx: Ctx, expr: unknown): Part {
  if (typeof expr !== 'string') throw new Nobody();
  const tgt = parseIpTarget(expr);
  if (tgt === undefined) return part([]);
  const proto = tgt.version === 4 ? 'ipv4' : 'ipv6';
  return part(
    ctx.all
      .filter((m) => {
        if (m.grains === undefined || m.grains === null) return true;
        if (!Object.hasOwn(m.grains, proto)) return false;
        return ipTargetMatches(tgt, m.grains[proto]);
      })
      .map((m) => m.id),
  );
}

const OPERS = new Set(['and', 'or', 'not', '(', ')']);

/** CkMinions._check_compound_minions (greedy, minion_data_cache). */
function compoundMinions(ctx: Ctx, expr: Target, pillarExact: boolean): Part {
  if (typeof expr !== 'string' && !Array.isArray(expr)) throw new Nobody();
  let words = typeof expr === 'string' ? pySplit(expr) : expr.map((w) => (typeof w === 'string' ? w : String(w)));
  const results: SetToken[] = [];
  const unmatched: Array<'(' | '-'> = [];
  const missing: string[] = [];
  const all = (): SetToken => ({ set: new Set(ctx.ids) });
  const closeNot = (): void => {
    if (unmatched[unmatched.length - 1] === '-') {
      results.push(')');
      unmatched.pop();
    }
  };
  let count = 0;
  while (words.length > 0) {
    const word = words.shift()!;
    if (++count > LIMITS.maxCompoundWords) {
      throw new TargetError(`compound target has more than ${LIMITS.maxCompoundWords} words`, 'too-large');
    }
    if (unmatched.length > LIMITS.maxNestingDepth) {
      throw new TargetError(`compound target nests deeper than ${LIMITS.maxNestingDepth}`, 'too-large');
    }
    const info = parseTarget(word);
    if (OPERS.has(word)) {
      const last = results[results.length - 1];
      if (last !== undefined) {
        if (last === '(' && (word === 'and' || word === 'or')) throw new Nobody();
        if (word === 'not') {
          if (last !== '&' && last !== '|' && last !== '(') results.push('&');
          results.push('(', all(), '-');
          unmatched.push('-');
        } else if (word === 'and') {
          results.push('&');
        } else if (word === 'or') {
          results.push('|');
        } else if (word === '(') {
          results.push('(');
          unmatched.push('(');
        } else {
          if (unmatched[unmatched.length - 1] !== '(') throw new Nobody(); // unexpected ')'
          results.push(')');
          unmatched.pop();
          closeNot();
        }
      } else if (word === 'not') {
        results.push('(', all(), '-');
        unmatched.push('-');
      } else if (word === '(') {
        results.push('(');
        unmatched.push('(');
      } else {
        throw new Nobody(); // may not begin with a binary operator
      }
      continue;
    }
    let res: Part;
    if (info.engine !== undefined) {
      const pattern = info.pattern;
      const delim = info.delimiter || ':';
      switch (info.engine) {
        case 'N': {
          const decomposed = nodegroupComp(pattern, ctx.nodegroups);
          if (decomposed.length > 0) words = [...decomposed, ...words];
          continue;
        }
        case 'G':
          res = cacheMinions(ctx, pattern, delim, 'grains', 'glob');
          break;
        case 'P':
          res = cacheMinions(ctx, pattern, delim, 'grains', 'regex');
          break;
        case 'I':
          res = cacheMinions(ctx, pattern, delim, 'pillar', pillarExact ? 'exact' : 'glob');
          break;
        case 'J':
          res = cacheMinions(ctx, pattern, delim, 'pillar', pillarExact ? 'exact' : 'regex');
          break;
        case 'L':
          res = listMinions(ctx, pattern, results[results.length - 1] === '-');
          break;
        case 'S':
          res = ipcidrMinions(ctx, pattern);
          break;
        case 'E':
          res = pcreMinions(ctx, pattern);
          break;
        case 'T': {
          // _check_resource_minions: a full SRN "type:id" echoes the id; a bare type lists
          // the registered resources of that type (none here).
          const colon = pattern.indexOf(':');
          const rtype = colon < 0 ? pattern : pattern.slice(0, colon);
          const rid = colon < 0 ? '' : pattern.slice(colon + 1);
          res = part(rtype !== '' && rid !== '' ? [rid] : []);
          break;
        }
        case 'M':
          res = globMinions(ctx, pattern);
          break;
        default:
          throw new Nobody(); // R@: CkMinions._all_minions is called wrongly and raises
      }
    } else {
      res = globMinions(ctx, word);
    }
    results.push({ set: new Set(res.minions) });
    missing.push(...res.missing);
    closeNot();
  }
  for (let k = 0; k < unmatched.length; k++) results.push(')');
  const minions = evalSetExpr(results);
  return part(minions, missing);
}

/** Which of the known minions does the target select (CkMinions.check_minions, greedy)? */
export function selectMinions(
  target: Target,
  tgtType: string | undefined,
  index: Iterable<MinionRecord>,
  options: SelectOptions = {},
): Selection {
  if (typeof target === 'string') checkLength('target', target, LIMITS.maxTargetLength);
  else if (Array.isArray(target) && target.reduce((n, w) => n + String(w).length + 1, 0) > LIMITS.maxTargetLength) {
    throw new TargetError(`target is over the limit of ${LIMITS.maxTargetLength} characters`, 'too-large');
  }
  const all = [...index];
  const ids = all.map((m) => m.id);
  const ctx: Ctx = {
    all,
    ids,
    idSet: new Set(ids),
    nodegroups: options.nodegroups ?? {},
    cacheMissing: options.cacheMissing ?? 'exclude',
  };
  const delimiter = options.delimiter ?? ':';
  const str = (): string => {
    if (typeof target !== 'string') throw new Nobody();
    return target;
  };
  let res: Part;
  try {
    switch (tgtType ?? 'glob') {
      case 'glob':
        res = globMinions(ctx, target);
        break;
      case 'pcre':
        res = pcreMinions(ctx, target);
        break;
      case 'list':
        res = listMinions(ctx, target, false);
        break;
      case 'grain':
        res = cacheMinions(ctx, str(), delimiter, 'grains', 'glob');
        break;
      case 'grain_pcre':
        res = cacheMinions(ctx, str(), delimiter, 'grains', 'regex');
        break;
      case 'pillar':
        res = cacheMinions(ctx, str(), delimiter, 'pillar', 'glob');
        break;
      case 'pillar_pcre':
        res = cacheMinions(ctx, str(), delimiter, 'pillar', 'regex');
        break;
      case 'pillar_exact':
        res = cacheMinions(ctx, str(), delimiter, 'pillar', 'exact');
        break;
      case 'ipcidr':
        res = ipcidrMinions(ctx, target);
        break;
      case 'compound':
        res = compoundMinions(ctx, target, false);
        break;
      case 'compound_pillar_exact':
        res = compoundMinions(ctx, target, true);
        break;
      case 'nodegroup':
        res = compoundMinions(ctx, nodegroupComp(str(), ctx.nodegroups), false);
        break;
      default:
        res = part([]); // range (no seco.range) and unknown types
    }
  } catch (err) {
    // Salt catches every exception in check_minions and selects nobody; only the bounds
    // and the regular expressions this translation cannot carry over are raised.
    if (err instanceof Nobody || (err instanceof TargetError && err.reason === 'invalid')) {
      return { minions: [], missing: [] };
    }
    throw err;
  }
  const chosen = new Set(res.minions);
  // Index order (Salt's order is a set's); T@ ids that are not minions come last.
  const minions = [...ids.filter((id) => chosen.has(id)), ...[...chosen].filter((id) => !ctx.idSet.has(id))];
  return { minions, missing: res.missing };
}
