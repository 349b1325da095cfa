/**
 * Python's fnmatch.fnmatch(name, pat) on POSIX, as Salt's glob matching uses it
 * (salt/matchers/glob_match.py, salt/utils/minions.py CkMinions._check_glob_minions,
 * salt/utils/data.py subdict_match). On POSIX os.path.normcase is the identity, so the
 * match is case-sensitive; the grain/pillar matcher lower-cases both sides itself.
 *
 * The pattern is parsed with the exact bracket rules of CPython 3.11 fnmatch.translate
 * (`[!...]` negation, `]` first is literal, an unclosed `[` is literal, empty ranges like
 * `[z-a]` dropped, `[!]` ... ) and matched over code points with a linear star-backtracking
 * matcher instead of a regular expression (no catastrophic backtracking). `?`, `*` and
 * classes match any character, newline included (`(?s:...)`), and the whole name must match.
 */
import { LIMITS, checkLength } from './limits.js';

type Range = readonly [number, number];
type Tok =
  | { readonly t: 'star' }
  | { readonly t: 'any' }
  | { readonly t: 'never' }
  | { readonly t: 'lit'; readonly c: number }
  | { readonly t: 'class'; readonly neg: boolean; readonly ranges: readonly Range[] };

const cps = (s: string): number[] => Array.from(s, (ch) => ch.codePointAt(0) ?? 0);
const HYPHEN = 0x2d;
const BANG = 0x21;
const RBRACKET = 0x5d;
const LBRACKET = 0x5b;

function indexOfFrom(p: readonly number[], c: number, from: number, to: number): number {
  for (let k = from; k < to; k++) if (p[k] === c) return k;
  return -1;
}

/** The bracket expression p[i..j) (after '['), as CPython 3.11 fnmatch.translate reads it. */
function parseClass(p: readonly number[], i: number, j: number): Tok {
  let chunks: number[][];
  const stuffRaw = p.slice(i, j);
  if (!stuffRaw.includes(HYPHEN)) {
    chunks = [stuffRaw];
  } else {
    chunks = [];
    let k = p[i] === BANG ? i + 2 : i + 1;
    let start = i;
    for (;;) {
      k = indexOfFrom(p, HYPHEN, k, j);
      if (k < 0) break;
      chunks.push(p.slice(start, k));
      start = k + 1;
      k = k + 3;
    }
    const chunk = p.slice(start, j);
    if (chunk.length > 0) chunks.push(chunk);
    else chunks[chunks.length - 1]!.push(HYPHEN);
    // Remove empty ranges -- invalid in RE.
    for (let k2 = chunks.length - 1; k2 > 0; k2--) {
      const prev = chunks[k2 - 1]!;
      const cur = chunks[k2]!;
      if ((prev[prev.length - 1] ?? -1) > (cur[0] ?? -1)) {
        chunks[k2 - 1] = [...prev.slice(0, -1), ...cur.slice(1)];
        chunks.splice(k2, 1);
      }
    }
  }
  const total = chunks.reduce((n, c) => n + c.length, 0) + chunks.length - 1;
  if (total === 0) return { t: 'never' };
  if (total === 1 && chunks.length === 1 && chunks[0]![0] === BANG) return { t: 'any' };
  // Items: every char literal, except that each join between chunks is a range from the last
  // char of one chunk to the first char of the next.
  const ranges: Range[] = [];
  let neg = false;
  let pendingLo: number | undefined;
  chunks.forEach((chunk, ci) => {
    chunk.forEach((c, k) => {
      if (ci === 0 && k === 0 && c === BANG) {
        neg = true;
        return;
      }
      if (k === 0 && ci > 0) {
        if (pendingLo === undefined) ranges.push([HYPHEN, HYPHEN], [c, c]);
        else ranges.push([pendingLo, c]);
        pendingLo = undefined;
        return;
      }
      if (k === chunk.length - 1 && ci < chunks.length - 1) {
        pendingLo = c;
        return;
      }
      ranges.push([c, c]);
    });
    // A chunk that is empty before a join (only after removals) leaves the join's '-' as a
    // literal at the start of the class, as `[-x]` reads in a regular expression.
    if (chunk.length === 0 && ci < chunks.length - 1) pendingLo = undefined;
  });
  if (pendingLo !== undefined) ranges.push([pendingLo, pendingLo]);
  return { t: 'class', neg, ranges };
}

/** Tokenise a glob pattern the way fnmatch.translate does. */
export function parseGlob(pattern: string): Tok[] {
  const p = cps(pattern);
  const n = p.length;
  const out: Tok[] = [];
  let i = 0;
  while (i < n) {
    const c = p[i]!;
    i++;
    if (c === 0x2a) {
      if (out[out.length - 1]?.t !== 'star') out.push({ t: 'star' });
    } else if (c === 0x3f) {
      out.push({ t: 'any' });
    } else if (c === LBRACKET) {
      let j = i;
      if (j < n && p[j] === BANG) j++;
      if (j < n && p[j] === RBRACKET) j++;
      while (j < n && p[j] !== RBRACKET) j++;
      if (j >= n) {
        out.push({ t: 'lit', c: LBRACKET });
      } else {
        out.push(parseClass(p, i, j));
        i = j + 1;
      }
    } else {
      out.push({ t: 'lit', c });
    }
  }
  return out;
}

function one(tok: Tok, c: number): boolean {
  switch (tok.t) {
    case 'any':
      return true;
    case 'never':
      return false;
    case 'lit':
      return tok.c === c;
    case 'class': {
      const inside = tok.ranges.some(([lo, hi]) => c >= lo && c <= hi);
      return inside !== tok.neg;
    }
    default:
      return false;
  }
}

function matchTokens(toks: readonly Tok[], s: readonly number[]): boolean {
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  while (si < s.length) {
    const tok = toks[ti];
    if (tok !== undefined && tok.t === 'star') {
      starTi = ti++;
      starSi = si;
    } else if (tok !== undefined && one(tok, s[si]!)) {
      ti++;
      si++;
    } else if (starTi >= 0) {
      ti = starTi + 1;
      si = ++starSi;
    } else {
      return false;
    }
  }
  while (toks[ti]?.t === 'star') ti++;
  return ti === toks.length;
}

const cache = new Map<string, Tok[]>();

/** Python fnmatch.fnmatch(name, pattern) on POSIX (case-sensitive, whole-name match). */
export function fnmatch(name: string, pattern: string): boolean {
  checkLength('glob pattern', pattern, LIMITS.maxPatternLength);
  let toks = cache.get(pattern);
  if (toks === undefined) {
    toks = parseGlob(pattern);
    if (cache.size >= 512) cache.clear();
    cache.set(pattern, toks);
  }
  return matchTokens(toks, cps(name));
}
