/**
 * salt/utils/data.py subdict_match and traverse_dict_and_list: how a grain or pillar target
 * (`os:Ubuntu`, `nested:a:b:c`, `roles:web`, `*:value`) is matched against a dict, with the
 * delimiter also allowed inside values ('foo:bar:baz' matches data.foo == 'bar:baz' and
 * data.foo.bar == 'baz', deeper keys tried first). Values and patterns are compared as
 * Python `str(x).lower()`, with fnmatch (default), `re.match` (regex) or `==` (exact).
 *
 * Not carried over: traverse_dict_and_list's retry with a YAML-loaded key (it only matters
 * for non-string dict keys, which JSON data cannot have).
 */
import { fnmatch } from './fnmatch.js';
import { pyReMatch } from './pyregex.js';
import { pyInt, pyStr } from './pystr.js';
import { TargetError } from './errors.js';

export type MatchMode = 'glob' | 'regex' | 'exact';

const isDict = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);

const NOT_FOUND: unique symbol = Symbol('not found');

/** traverse_dict_and_list(data, key, default={}) with `NOT_FOUND` for the default. */
export function traverse(data: unknown, key: string, delimiter: string): unknown {
  let ptr: unknown = data;
  for (const each of key.split(delimiter)) {
    if (Array.isArray(ptr)) {
      const idx = pyInt(each);
      if (idx === undefined) {
        // Not numeric: look in the embedded dicts.
        const hit = ptr.find((x) => isDict(x) && Object.hasOwn(x, each));
        if (hit === undefined) return NOT_FOUND;
        ptr = (hit as Record<string, unknown>)[each];
      } else {
        // (Embedded dicts are tried with the int key first; JSON dicts have no int keys.)
        const i = idx < 0 ? ptr.length + idx : idx;
        if (i < 0 || i >= ptr.length) return NOT_FOUND;
        ptr = ptr[i];
      }
    } else if (isDict(ptr)) {
      if (!Object.hasOwn(ptr, each)) return NOT_FOUND;
      ptr = ptr[each];
    } else {
      return NOT_FOUND; // str/int/None indexed by a str: TypeError -> default
    }
  }
  return ptr;
}

function matchValue(target: unknown, pattern: string, mode: MatchMode): boolean {
  const t = pyStr(target).toLowerCase();
  const p = pattern.toLowerCase();
  if (mode === 'regex') {
    try {
      return pyReMatch(p, t);
    } catch (err) {
      // Salt logs "Invalid regex '%s' in match" and answers False. A pattern Python accepts
      // but this translation cannot carry over, or one over the bounds, is raised instead.
      if (err instanceof TargetError && err.reason === 'invalid') return false;
      throw err;
    }
  }
  return mode === 'exact' ? t === p : fnmatch(t, p);
}

function dictMatch(target: Record<string, unknown>, pattern: string, mode: MatchMode, delimiter: string): boolean {
  let pat = pattern;
  const wildcard = pat.startsWith('*:');
  if (wildcard) pat = pat.slice(2);
  if (pat === '*') return true;
  if (Object.hasOwn(target, pat)) return true;
  if (Object.keys(target).some((key) => matchValue(key, pat, mode))) return true;
  // subdict_match(target, pattern) uses the default delimiter ':' (Salt passes none).
  if (subdictMatch(target, pat, { delimiter: ':', mode })) return true;
  if (wildcard) {
    for (const value of Object.values(target)) {
      if (isDict(value)) {
        if (dictMatch(value, pat, mode, delimiter)) return true;
      } else if (Array.isArray(value)) {
        if (value.some((item) => matchValue(item, pat, mode))) return true;
      } else if (matchValue(value, pat, mode)) {
        return true;
      }
    }
  }
  return false;
}

export interface SubdictOptions {
  delimiter?: string;
  mode?: MatchMode;
}

/** salt.utils.data.subdict_match(data, expr, delimiter, regex_match, exact_match). */
export function subdictMatch(data: unknown, expr: string, options: SubdictOptions = {}): boolean {
  const delimiter = options.delimiter ?? ':';
  const mode = options.mode ?? 'glob';
  if (delimiter === '') throw new TargetError('empty delimiter', 'invalid');
  const splits = expr.split(delimiter);
  if (splits.length === 1) return false;
  for (let idx = splits.length - 1; idx > 0; idx--) {
    const key = splits.slice(0, idx).join(delimiter);
    let matchstr: string;
    let match: unknown;
    if (key === '*') {
      matchstr = expr;
      match = data;
    } else {
      matchstr = splits.slice(idx).join(delimiter);
      match = traverse(data, key, delimiter);
    }
    if (match === NOT_FOUND || (isDict(match) && Object.keys(match).length === 0)) continue;
    if (isDict(match)) {
      if (dictMatch(match, matchstr, mode, delimiter)) return true;
      continue;
    }
    if (Array.isArray(match)) {
      for (const member of match) {
        if (isDict(member) && dictMatch(member, matchstr, mode, delimiter)) return true;
        if (matchValue(member, matchstr, mode)) return true;
      }
      continue;
    }
    if (matchValue(match, matchstr, mode)) return true;
  }
  return false;
}

/** traverse_dict_and_list(data, key, dflt, delimiter): the value at `key`, or `dflt`. */
export function traverseOr(data: unknown, key: string, dflt: unknown, delimiter = ':'): unknown {
  const value = traverse(data, key, delimiter);
  return typeof value === 'symbol' ? dflt : value;
}
