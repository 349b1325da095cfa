/**
 * The minion's side of targeting: does a publish with (tgt, tgt_type) apply to this minion?
 * The decision salt-minion 3008 takes in salt/minion.py Minion._target_load with the
 * matchers of salt/matchers/*.py, including its quirks:
 * - an unknown tgt_type is False; `delimiter` is honoured for grain, grain_pcre and pillar
 *   only (not for pillar_pcre or pillar_exact, as in _target_load);
 * - a compound target is a Python expression of the terms' truth values (see pyexpr.ts):
 *   a malformed one is False; a word `N@x` is expanded from `nodegroups` in place and an
 *   unknown one vanishes; `R@` (range, seco.range is never installed) makes the whole
 *   target False, as an unrecognised engine does; `T@` is False (no Salt resources);
 *   a compound of only `T@`/`M@` terms is a "pure resource" target, False for the minion;
 * - `compound_pillar_exact` has no minion-side matcher in Salt (master only): False;
 * - an invalid regular expression in a `pcre` or `E@` target raises in Salt: here a
 *   `TargetError` (reason 'invalid'); in grain/pillar regex matching it is False.
 *
 * Beyond Salt: a minion that does not know its grains (`grains` undefined) or its pillar
 * (`pillar` undefined) answers `{ undecidable }` for a term that needs them, unless the
 * rest of the expression decides the answer either way (every possible value of the unknown
 * terms is tried). Salt's minion always has both, and treats missing data as an empty dict
 * (so False); pass `{}` to get exactly that.
 */
import { TargetError } from './errors.js';
import { fnmatch } from './fnmatch.js';
import { ipTargetMatches, parseIpTarget } from './ipaddr.js';
import { LIMITS, checkLength } from './limits.js';
import type { Nodegroups } from './nodegroups.js';
import { nodegroupComp } from './nodegroups.js';
import { parseTarget } from './parse-target.js';
import type { BoolToken } from './pyexpr.js';
import { evalBoolExpr } from './pyexpr.js';
import { pyReMatch } from './pyregex.js';
import { pySplit } from './pystr.js';
import type { MatchMode } from './subdict.js';
import { subdictMatch } from './subdict.js';

export type TargetType =
  | 'glob'
  | 'pcre'
  | 'list'
  | 'grain'
  | 'grain_pcre'
  | 'pillar'
  | 'pillar_pcre'
  | 'pillar_exact'
  | 'ipcidr'
  | 'compound'
  | 'compound_pillar_exact'
  | 'nodegroup'
  | 'range';

export type Target = string | readonly string[];

/** The target types a publish may carry (Salt's `tgt_type`). */
export const TARGET_TYPES: readonly TargetType[] = [
  'glob',
  'pcre',
  'list',
  'grain',
  'grain_pcre',
  'pillar',
  'pillar_pcre',
  'pillar_exact',
  'ipcidr',
  'compound',
  'compound_pillar_exact',
  'nodegroup',
  'range',
];

export interface MinionSelf {
  readonly id: string;
  /** The minion's grains; undefined: not known (terms that need them are undecidable). */
  readonly grains?: Readonly<Record<string, unknown>>;
  /** The minion's pillar; undefined: not known. Salt's minion without pillar has `{}`. */
  readonly pillar?: Readonly<Record<string, unknown>>;
  /** Override for grains.ipv4 in ipcidr matching. */
  readonly ipv4?: readonly string[];
  /** Override for grains.ipv6 in ipcidr matching. */
  readonly ipv6?: readonly string[];
}

export interface MatchOptions {
  /** The nodegroups map (the minion's `nodegroups` option, or the master's). */
  readonly nodegroups?: Nodegroups;
  /** The publish's `delimiter` (grain, grain_pcre and pillar targets), default ':'. */
  readonly delimiter?: string;
}

export type MatchResult = boolean | { readonly undecidable: string };

const UNDECIDED: unique symbol = Symbol('undecided');
type Term = boolean | { readonly [UNDECIDED]: string };

const undecided = (why: string): Term => ({ [UNDECIDED]: why });
const isUndecided = (t: Term): t is { readonly [UNDECIDED]: string } => typeof t === 'object';

function checkTarget(target: unknown): void {
  if (typeof target === 'string') {
    checkLength('target', target, LIMITS.maxTargetLength);
  } else if (Array.isArray(target)) {
    let total = 0;
    for (const w of target) total += typeof w === 'string' ? w.length + 1 : 8;
    if (total > LIMITS.maxTargetLength) {
      throw new TargetError(`target is over the limit of ${LIMITS.maxTargetLength} characters`, 'too-large');
    }
  }
}

function globMatch(self: MinionSelf, tgt: unknown): boolean {
  return typeof tgt === 'string' && fnmatch(self.id, tgt);
}

function pcreMatch(self: MinionSelf, tgt: unknown): boolean {
  if (typeof tgt !== 'string') throw new TargetError('a pcre target must be a string', 'invalid');
  return pyReMatch(tgt, self.id);
}

/** salt/matchers/list_match.py. */
function listMatch(self: MinionSelf, tgt: unknown): boolean {
  const id = self.id;
  if (typeof tgt === 'string') {
    return tgt.includes(`,${id},`) || tgt.startsWith(`${id},`) || tgt.endsWith(`,${id}`) || tgt === id;
  }
  if (Array.isArray(tgt)) return tgt.includes(id);
  return false;
}

function dataMatch(
  data: Readonly<Record<string, unknown>> | undefined,
  what: 'grains' | 'pillar',
  tgt: string,
  delimiter: string,
  mode: MatchMode,
): Term {
  if (!tgt.includes(delimiter)) return false; // "Got insufficient arguments for ... match statement"
  if (data === undefined) return undecided(`the minion's ${what} are not known`);
  return subdictMatch(data, tgt, { delimiter, mode });
}

/** salt/matchers/ipcidr_match.py. */
function ipcidrMatch(self: MinionSelf, tgt: string): Term {
  const parsed = parseIpTarget(tgt);
  if (parsed === undefined) return false; // "Invalid IP/CIDR target" -> [] (falsy)
  const proto = parsed.version === 4 ? 'ipv4' : 'ipv6';
  const override = self[proto];
  if (override !== undefined) return ipTargetMatches(parsed, override);
  if (self.grains === undefined) return undecided("the minion's addresses are not known");
  if (!Object.hasOwn(self.grains, proto)) return false;
  return ipTargetMatches(parsed, self.grains[proto]);
}

const OPERS = new Set(['and', 'or', 'not', '(', ')']);

function compoundWords(tgt: Target): string[] {
  return typeof tgt === 'string' ? pySplit(tgt) : tgt.map((w) => (typeof w === 'string' ? w : String(w)));
}

/** salt/matchers/compound_match.py. */
function compoundMatch(self: MinionSelf, tgt: Target, nodegroups: Nodegroups): MatchResult {
  let words = compoundWords(tgt);
  const tokens: BoolToken[] = [];
  const unknown = new Map<string, number>();
  const reasons: string[] = [];
  let depth = 0;
  let count = 0;
  while (words.length > 0) {
    const word = words.shift()!;
    if (++count > LIMITS.maxCompoundWords) {
      throw new TargetError(`compound target has more than ${LIMITS.maxCompoundWords} words`, 'too-large');
    }
    const info = parseTarget(word);
    if (OPERS.has(word)) {
      const last = tokens[tokens.length - 1];
      if (last !== undefined) {
        if (last === '(' && (word === 'and' || word === 'or')) return false; // Invalid beginning operator after "("
        if (word === 'not' && last !== 'and' && last !== 'or' && last !== '(') tokens.push('and');
      } else if (word !== '(' && word !== 'not') {
        return false; // Invalid beginning operator
      }
      if (word === '(') {
        if (++depth > LIMITS.maxNestingDepth) {
          throw new TargetError(`compound target nests deeper than ${LIMITS.maxNestingDepth}`, 'too-large');
        }
      } else if (word === ')') depth--;
      tokens.push(word as BoolToken);
      continue;
    }
    let term: Term;
    if (info.engine !== undefined) {
      const pattern = info.pattern;
      const delimiter = info.delimiter || ':';
      switch (info.engine) {
        case 'N': {
          const decomposed = nodegroupComp(pattern, nodegroups);
          if (decomposed.length > 0) words = [...decomposed, ...words];
          continue;
        }
        case 'G':
          term = dataMatch(self.grains, 'grains', pattern, delimiter, 'glob');
          break;
        case 'P':
          term = dataMatch(self.grains, 'grains', pattern, delimiter, 'regex');
          break;
        case 'I':
          term = dataMatch(self.pillar, 'pillar', pattern, delimiter, 'glob');
          break;
        case 'J':
          term = dataMatch(self.pillar, 'pillar', pattern, delimiter, 'regex');
          break;
        case 'L':
          term = listMatch(self, pattern);
          break;
        case 'S':
          term = ipcidrMatch(self, pattern);
          break;
        case 'E':
          term = pcreMatch(self, pattern);
          break;
        case 'T':
          term = false; // resource_match: this minion manages no Salt resources
          break;
        case 'M':
          term = self.id === pattern; // managing_minion_match
          break;
        default:
          return false; // R@ (no seco.range): 'Unrecognized target engine'
      }
    } else {
      term = globMatch(self, word);
    }
    if (isUndecided(term)) {
      const key = word;
      let idx = unknown.get(key);
      if (idx === undefined) {
        idx = unknown.size;
        if (idx >= LIMITS.maxUnknownTerms) return { undecidable: term[UNDECIDED] };
        unknown.set(key, idx);
        reasons.push(term[UNDECIDED]);
      }
      tokens.push({ unknown: idx });
    } else {
      tokens.push({ value: term });
    }
  }
  const v = evalBoolExpr(tokens, unknown.size);
  if (v === undefined) return { undecidable: [...new Set(reasons)].join('; ') };
  return v;
}

/** A 3008 "pure resource" compound: every word an operator or a T@/M@ term. */
function isPureResource(tgt: Target): boolean {
  return compoundWords(tgt).every((w) => OPERS.has(w) || w.startsWith('T@') || w.startsWith('M@'));
}

function toResult(t: Term): MatchResult {
  return isUndecided(t) ? { undecidable: t[UNDECIDED] } : t;
}

/** Does the publish (target, tgtType) apply to this minion? */
export function matchMinion(
  target: Target,
  tgtType: TargetType | string | undefined,
  self: MinionSelf,
  options: MatchOptions = {},
): MatchResult {
  checkTarget(target);
  const nodegroups = options.nodegroups ?? {};
  const delimiter = options.delimiter ?? ':';
  const str = (what: string): string => {
    if (typeof target !== 'string') throw new TargetError(`a ${what} target must be a string`, 'invalid');
    return target;
  };
  switch (tgtType ?? 'glob') {
    case 'glob':
      return globMatch(self, target);
    case 'pcre':
      return pcreMatch(self, target);
    case 'list':
      return listMatch(self, target);
    case 'grain':
      return toResult(dataMatch(self.grains, 'grains', str('grain'), delimiter, 'glob'));
    case 'grain_pcre':
      return toResult(dataMatch(self.grains, 'grains', str('grain'), delimiter, 'regex'));
    case 'pillar':
      return toResult(dataMatch(self.pillar, 'pillar', str('pillar'), delimiter, 'glob'));
    case 'pillar_pcre':
      return toResult(dataMatch(self.pillar, 'pillar', str('pillar'), ':', 'regex'));
    case 'pillar_exact':
      return toResult(dataMatch(self.pillar, 'pillar', str('pillar'), ':', 'exact'));
    case 'ipcidr':
      return toResult(ipcidrMatch(self, str('ipcidr')));
    case 'compound':
      if (typeof target !== 'string' && !Array.isArray(target)) return false;
      if (isPureResource(target)) return false;
      return compoundMatch(self, target, nodegroups);
    case 'nodegroup': {
      // salt/matchers/nodegroup_match.py with the nodegroups given (Salt's _target_load
      // passes none and so answers False; the salt CLI never publishes a nodegroup target).
      if (typeof target !== 'string' || !Object.hasOwn(nodegroups, target)) return false;
      return compoundMatch(self, nodegroupComp(target, nodegroups), nodegroups);
    }
    default:
      return false; // range (no seco.range) and unknown types
  }
}
