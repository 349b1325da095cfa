import { parseYamlValue } from './config/yaml.js';

/** Salt's `KWARG_REGEX`: `name=value` where name is an identifier (dots and dashes allowed after the first character). */
const KWARG = /^([\p{L}\p{Nl}_][\p{L}\p{N}_.-]*)=(?!=)([\s\S]*)$/u;

export interface SaltArgs {
  arg: unknown[];
  kwarg: Record<string, unknown>;
}

/**
 * `salt`'s argument handling (`salt.utils.args.parse_input`): `name=value` is a keyword argument,
 * anything else positional; each value is loaded as YAML the way `yamlify_arg` does it (`1` is a
 * number, `yes` a boolean, `[1, 2]` a list, `{a: 1}` a dict), falling back to the text.
 */
export function parseSaltArgs(args: readonly string[]): SaltArgs {
  const arg: unknown[] = [];
  const kwarg: Record<string, unknown> = {};
  for (const text of args) {
    const m = KWARG.exec(text);
    if (m) kwarg[m[1]!] = yamlifyArg(m[2]!);
    else arg.push(yamlifyArg(text));
  }
  return { arg, kwarg };
}

/** Salt's `yamlify_arg`. */
export function yamlifyArg(text: string): unknown {
  const stripped = text.trim();
  if (stripped === '' || stripped === '---' || stripped === '...') return text;
  if (text.includes('_') && /^[\d_]+$/.test(stripped)) return text;
  if (/[\t\r\n]/.test(text)) return text;
  let value: unknown;
  try {
    if (text.includes('#')) {
      // '#' starts a comment in YAML: keep the text unless it loads as something else than a string.
      value = parseYamlValue(text);
      return typeof value === 'string' || value === null || value === undefined ? text : safeNumber(value, text);
    }
    value = text === 'None' ? null : parseYamlValue(text);
  } catch {
    return text;
  }
  if (Array.isArray(value)) return text.startsWith('[') ? value : text;
  if (value instanceof Date || value instanceof Uint8Array || value instanceof Map || value instanceof Set) return text;
  if (value !== null && typeof value === 'object') return text.startsWith('{') ? value : text;
  if (value === '' && (text === '|' || text === '!')) return text;
  if ((value === null || value === undefined) && (stripped.startsWith('#') || text === '!')) return text;
  return safeNumber(value ?? null, text);
}

/** A number JavaScript cannot hold exactly (a 20-digit jid) stays text, as Salt's `condition_input` keeps jids strings. */
function safeNumber(value: unknown, text: string): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) return text;
  return value;
}
