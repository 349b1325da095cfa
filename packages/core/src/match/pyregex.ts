/**
 * Python `re.match(pattern, subject)` (CPython 3.11 `re` on str patterns) in JavaScript, as
 * Salt's pcre matching uses it (salt/matchers/pcre_match.py, CkMinions._check_pcre_minions,
 * subdict_match with regex_match=True): anchored at the start, not at the end.
 *
 * The pattern is parsed with Python's grammar (sre_parse) and re-emitted as a JavaScript
 * `u`-mode RegExp with the same meaning: `^`, `$`, `\A`, `\Z` and `.` keep Python's
 * semantics (`$` also matches before a final newline, `.` excludes only `\n`), `\d \w \s \b`
 * are Unicode-aware as in Python 3, `(?P<name>...)`/`(?P=name)` become named groups, Python's
 * literal braces (`x{a}`, `a{`) and `{,n}` quantifiers are carried over, `(?x)` verbose
 * patterns are stripped, global flags `(?aimsux)` at the start are honoured. What Python
 * rejects is rejected (`TargetError` reason `invalid`); what JavaScript (Node 20) cannot
 * express is refused (reason `unsupported`): atomic groups `(?>...)`, possessive
 * quantifiers, scoped flags `(?i:...)`, conditionals `(?(1)a|b)`, `\N{...}`.
 */
import { TargetError } from './errors.js';
import { LIMITS, checkLength } from './limits.js';
import { PY_WHITESPACE } from './pystr.js';

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  a: boolean;
}

interface Piece {
  src: string;
  min: number;
  max: number;
  /** May a quantifier follow (false for anchors and assertions). */
  repeatable: boolean;
}

const INF = Number.POSITIVE_INFINITY;
const ANY_CP = '[\\s\\S]';
const START = '(?<![\\s\\S])';
const END = '(?![\\s\\S])';
const ASCII_LETTERS = /^[A-Za-z]$/;
const DIGIT = /^[0-9]$/;
const OCT = /^[0-7]$/;
const HEX = /^[0-9A-Fa-f]$/;
const PY_SPACE_CHARS = ' \t\n\r\f\v';

const hexEsc = (cp: number): string => `\\u{${cp.toString(16)}}`;

/** A literal code point, safe in a u-mode pattern outside a class. */
function litOut(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/^[A-Za-z0-9 _]$/.test(ch) || (cp > 0x7f && !/[\p{C}\p{Z}]/u.test(ch))) return ch;
  return hexEsc(cp);
}

/** A literal code point, safe inside a u-mode class. */
function litIn(cp: number): string {
  const ch = String.fromCodePoint(cp);
  if (/^[A-Za-z0-9 _]$/.test(ch) || (cp > 0x7f && !/[\p{C}\p{Z}]/u.test(ch))) return ch;
  return hexEsc(cp);
}

type Category = 'd' | 'D' | 'w' | 'W' | 's' | 'S';

/** A category's members as class content, or undefined when it is a complement. */
function categoryInner(cat: Category, ascii: boolean): string | undefined {
  const ws = ascii ? ' \\t\\n\\r\\f\\v' : PY_WHITESPACE;
  switch (cat) {
    case 'd':
      return ascii ? '0-9' : '\\p{Nd}';
    case 'D':
      return ascii ? undefined : '\\P{Nd}';
    case 'w':
      return ascii ? 'A-Za-z0-9_' : '\\p{L}\\p{N}_';
    case 's':
      return ws;
    default:
      return undefined;
  }
}

function categoryOuter(cat: Category, ascii: boolean): string {
  const inner = categoryInner(cat, ascii);
  if (inner !== undefined) return `[${inner}]`;
  const pos = categoryInner(cat.toLowerCase() as Category, ascii);
  return `[^${pos ?? ''}]`;
}

function wordBoundary(ascii: boolean, negate: boolean): string {
  const w = categoryOuter('w', ascii);
  const at = `(?:(?<=${w})(?!${w})|(?<!${w})(?=${w}))`;
  const notAt = `(?:(?<=${w})(?=${w})|(?<!${w})(?!${w}))`;
  return negate ? notAt : at;
}

class Parser {
  private pos = 0;
  private readonly cps: number[];
  private groups = 0;
  private readonly closed = new Set<number>();
  private readonly names = new Map<string, number>();
  private readonly groupWidth = new Map<number, [number, number]>();
  readonly flags: Flags;

  constructor(
    readonly pattern: string,
    flags: Flags,
  ) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0) ?? 0);
    this.flags = flags;
  }

  private err(msg: string): never {
    throw new TargetError(
      `invalid regular expression ${JSON.stringify(this.pattern)}: ${msg} at position ${this.pos}`,
      'invalid',
    );
  }

  private unsupported(what: string): never {
    throw new TargetError(
      `regular expression ${JSON.stringify(this.pattern)}: ${what} is not supported`,
      'unsupported',
    );
  }

  private peek(off = 0): string | undefined {
    const cp = this.cps[this.pos + off];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private get(): string | undefined {
    const ch = this.peek();
    if (ch !== undefined) this.pos++;
    return ch;
  }

  private eat(s: string): boolean {
    if (this.peek() === s) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** Skip verbose-mode whitespace and comments (outside classes). */
  private skipVerbose(): void {
    if (!this.flags.x) return;
    for (;;) {
      const ch = this.peek();
      if (ch !== undefined && PY_SPACE_CHARS.includes(ch)) {
        this.pos++;
      } else if (ch === '#') {
        while (this.peek() !== undefined && this.peek() !== '\n') this.pos++;
      } else {
        return;
      }
    }
  }

  /** The leading global flags groups `(?aiLmsux)`. */
  parseLeadingFlags(): void {
    for (;;) {
      this.skipVerbose();
      if (!(this.peek() === '(' && this.peek(1) === '?' && /^[aiLmsux]$/.test(this.peek(2) ?? ''))) return;
      const save = this.pos;
      this.pos += 2;
      const letters: string[] = [];
      while (/^[aiLmsux]$/.test(this.peek() ?? '')) letters.push(this.get()!);
      if (this.peek() !== ')') {
        // Scoped flags `(?i:...)` or `(?i-s:...)`.
        if (this.peek() === ':' || this.peek() === '-') this.unsupported('a scoped inline flag group');
        this.pos = save;
        return;
      }
      this.pos++;
      for (const l of letters) {
        if (l === 'L') this.err("bad inline flags: cannot use 'L' flag with a str pattern");
        if (l === 'i' || l === 'm' || l === 's' || l === 'x' || l === 'a') this.flags[l] = true;
      }
      if (letters.includes('a') && letters.includes('u'))
        this.err("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
    }
  }

  parseTop(): Piece {
    const p = this.parseAlternation(0);
    if (this.pos < this.cps.length) {
      if (this.peek() === ')') this.err('unbalanced parenthesis');
      this.err('unexpected character');
    }
    return p;
  }

  private parseAlternation(depth: number): Piece {
    if (depth > LIMITS.maxNestingDepth) {
      throw new TargetError(
        `regular expression ${JSON.stringify(this.pattern)} nests deeper than ${LIMITS.maxNestingDepth}`,
        'too-large',
      );
    }
    const alts: Piece[] = [this.parseSequence(depth)];
    while (this.eat('|')) alts.push(this.parseSequence(depth));
    return {
      src: alts.map((a) => a.src).join('|'),
      min: Math.min(...alts.map((a) => a.min)),
      max: Math.max(...alts.map((a) => a.max)),
      repeatable: true,
    };
  }

  private parseSequence(depth: number): Piece {
    let src = '';
    // Widths of everything before the last item, and of the last item itself.
    let baseMin = 0;
    let baseMax = 0;
    let last: Piece | undefined;
    let lastStart = 0;
    const mul = (a: number, b: number): number => (a === 0 || b === 0 ? 0 : a * b);
    for (;;) {
      this.skipVerbose();
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') break;
      if (ch === '*' || ch === '+' || ch === '?' || (ch === '{' && this.braceQuantifierAhead())) {
        const [qmin, qmax, qsrc] = this.parseQuantifier();
        if (last === undefined || !last.repeatable) this.err('nothing to repeat');
        let lazy = '';
        if (this.eat('?')) lazy = '?';
        else if (this.peek() === '+') this.unsupported('a possessive quantifier');
        const body = src.slice(lastStart);
        src = `${src.slice(0, lastStart)}(?:${body})${qsrc}${lazy}`;
        last = { src: '', min: mul(last.min, qmin), max: mul(last.max, qmax), repeatable: true };
        this.skipVerbose();
        const nx = this.peek();
        if (nx === '*' || nx === '+' || nx === '?' || (nx === '{' && this.braceQuantifierAhead()))
          this.err('multiple repeat');
        continue;
      }
      const piece = this.parseAtom(depth);
      if (piece === undefined) continue;
      if (last !== undefined) {
        baseMin += last.min;
        baseMax += last.max;
      }
      lastStart = src.length;
      src += piece.src;
      last = piece;
    }
    return {
      src,
      min: baseMin + (last?.min ?? 0),
      max: baseMax + (last?.max ?? 0),
      repeatable: true,
    };
  }

  /** Does a `{m}`, `{m,}`, `{,n}`, `{m,n}` or `{,}` quantifier start here (else `{` is literal)? */
  private braceQuantifierAhead(): boolean {
    let k = this.pos + 1;
    const at = (n: number): string | undefined => {
      const cp = this.cps[n];
      return cp === undefined ? undefined : String.fromCodePoint(cp);
    };
    if (at(k) === '}') return false;
    while (DIGIT.test(at(k) ?? '')) k++;
    if (at(k) === ',') {
      k++;
      while (DIGIT.test(at(k) ?? '')) k++;
    }
    return at(k) === '}';
  }

  private parseQuantifier(): [number, number, string] {
    const ch = this.get();
    if (ch === '*') return [0, INF, '*'];
    if (ch === '+') return [1, INF, '+'];
    if (ch === '?') return [0, 1, '?'];
    let lo = '';
    let hi = '';
    while (DIGIT.test(this.peek() ?? '')) lo += this.get();
    let comma = false;
    if (this.eat(',')) {
      comma = true;
      while (DIGIT.test(this.peek() ?? '')) hi += this.get();
    } else {
      hi = lo;
    }
    this.eat('}');
    const min = lo === '' ? 0 : Number(lo);
    const max = hi === '' ? INF : Number(hi);
    if (min >= 4294967295 || (max !== INF && max >= 4294967295)) this.err('the repetition number is too large');
    if (max < min) this.err('min repeat greater than max repeat');
    const src = !comma ? `{${min}}` : max === INF ? `{${min},}` : `{${min},${max}}`;
    return [min, max, src];
  }

  private parseAtom(depth: number): Piece | undefined {
    const ch = this.get()!;
    const lit = (cp: number): Piece => ({ src: litOut(cp), min: 1, max: 1, repeatable: true });
    switch (ch) {
      case '(':
        return this.parseGroup(depth);
      case '[':
        return this.parseClass();
      case '.':
        return { src: this.flags.s ? ANY_CP : '[^\\n]', min: 1, max: 1, repeatable: true };
      case '^':
        return { src: this.flags.m ? `(?:${START}|(?<=\\n))` : START, min: 0, max: 0, repeatable: false };
      case '$':
        return { src: this.flags.m ? `(?=\\n|${END})` : `(?=\\n?${END})`, min: 0, max: 0, repeatable: false };
      case '\\':
        return this.parseEscape();
      default:
        return lit(ch.codePointAt(0) ?? 0);
    }
  }

  private parseGroup(depth: number): Piece | undefined {
    if (!this.eat('?')) {
      const n = ++this.groups;
      const inner = this.parseAlternation(depth + 1);
      if (!this.eat(')')) this.err('missing ), unterminated subpattern');
      this.closed.add(n);
      this.groupWidth.set(n, [inner.min, inner.max]);
      return { src: `(${inner.src})`, min: inner.min, max: inner.max, repeatable: true };
    }
    const c = this.get();
    if (c === ':') return this.finishGroup(depth, '(?:');
    if (c === '=' || c === '!') return this.finishGroup(depth, `(?${c}`, true);
    if (c === '<') {
      const d = this.get();
      if (d === '=' || d === '!') {
        const piece = this.finishGroup(depth, `(?<${d}`, true);
        return piece;
      }
      this.err('unknown extension ?<' + (d ?? ''));
    }
    if (c === '#') {
      while (this.peek() !== undefined && this.peek() !== ')') this.pos++;
      if (!this.eat(')')) this.err('missing ), unterminated comment');
      return undefined;
    }
    if (c === 'P') {
      const d = this.get();
      if (d === '<') {
        const name = this.readName('>');
        if (this.names.has(name)) this.err(`redefinition of group name ${JSON.stringify(name)}`);
        const n = ++this.groups;
        this.names.set(name, n);
        const inner = this.parseAlternation(depth + 1);
        if (!this.eat(')')) this.err('missing ), unterminated subpattern');
        this.closed.add(n);
        this.groupWidth.set(n, [inner.min, inner.max]);
        return { src: `(?<${name}>${inner.src})`, min: inner.min, max: inner.max, repeatable: true };
      }
      if (d === '=') {
        const name = this.readName(')');
        const n = this.names.get(name);
        if (n === undefined) this.err(`unknown group name ${JSON.stringify(name)}`);
        if (!this.closed.has(n)) this.err('cannot refer to an open group');
        const [min, max] = this.groupWidth.get(n) ?? [0, INF];
        return { src: `\\k<${name}>`, min, max, repeatable: true };
      }
      this.err('unknown extension ?P' + (d ?? ''));
    }
    if (c === '>') this.unsupported('an atomic group (?>...)');
    if (c === '(') {
      let ref = '';
      while (this.peek() !== undefined && this.peek() !== ')') ref += this.get();
      const n = /^[0-9]+$/.test(ref) ? Number(ref) : this.names.get(ref);
      if (n === undefined || n === 0 || n > this.groups) this.err(`invalid group reference ${ref}`);
      this.unsupported('a conditional group (?(id)yes|no)');
    }
    if (c !== undefined && /^[aiLmsux-]$/.test(c)) {
      // Flags after the start of the pattern: global ones are an error in 3.11, scoped ones
      // cannot be expressed in Node 20.
      let k = this.pos;
      while (/^[aiLmsux-]$/.test(String.fromCodePoint(this.cps[k] ?? 0))) k++;
      if (String.fromCodePoint(this.cps[k] ?? 0) === ')') this.err('global flags not at the start of the expression');
      this.unsupported('a scoped inline flag group');
    }
    this.err('unknown extension ?' + (c ?? ''));
  }

  private finishGroup(depth: number, open: string, assertion = false): Piece {
    const inner = this.parseAlternation(depth + 1);
    if (!this.eat(')')) this.err('missing ), unterminated subpattern');
    if (open.startsWith('(?<') && inner.min !== inner.max) this.err('look-behind requires fixed-width pattern');
    if (assertion) return { src: `${open}${inner.src})`, min: 0, max: 0, repeatable: true };
    return { src: `${open}${inner.src})`, min: inner.min, max: inner.max, repeatable: true };
  }

  private readName(end: string): string {
    let name = '';
    for (;;) {
      const ch = this.get();
      if (ch === undefined) this.err(`missing ${end}, unterminated name`);
      if (ch === end) break;
      name += ch;
    }
    if (name === '') this.err('missing group name');
    if (!/^[\p{ID_Start}_][\p{ID_Continue}]*$/u.test(name))
      this.err(`bad character in group name ${JSON.stringify(name)}`);
    return name;
  }

  /** An escape outside a class. */
  private parseEscape(): Piece {
    const ch = this.get();
    if (ch === undefined) this.err('bad escape (end of pattern)');
    const one = (src: string): Piece => ({ src, min: 1, max: 1, repeatable: true });
    const ascii = this.flags.a;
    switch (ch) {
      case 'A':
        return { src: START, min: 0, max: 0, repeatable: false };
      case 'Z':
        return { src: END, min: 0, max: 0, repeatable: false };
      case 'b':
        return { src: wordBoundary(ascii, false), min: 0, max: 0, repeatable: false };
      case 'B':
        return { src: wordBoundary(ascii, true), min: 0, max: 0, repeatable: false };
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
        return one(categoryOuter(ch as Category, ascii));
      default:
        break;
    }
    if (DIGIT.test(ch)) {
      // Octal escape or group reference (sre_parse._escape).
      if (ch === '0') {
        let oct = '0';
        while (oct.length < 3 && OCT.test(this.peek() ?? '')) oct += this.get();
        return one(litOut(parseInt(oct, 8)));
      }
      let num = ch;
      if (DIGIT.test(this.peek() ?? '')) {
        if (OCT.test(ch) && OCT.test(this.peek() ?? '') && OCT.test(this.peek(1) ?? '')) {
          const oct = ch + this.get() + this.get();
          const v = parseInt(oct, 8);
          if (v > 0o377) this.err(`octal escape value \\${oct} outside of range 0-0o377`);
          return one(litOut(v));
        }
        num += this.get();
      }
      const n = Number(num);
      if (n > this.groups || !this.closed.has(n)) {
        if (n <= this.groups) this.err('cannot refer to an open group');
        this.err(`invalid group reference ${n}`);
      }
      const [min, max] = this.groupWidth.get(n) ?? [0, INF];
      return { src: `(?:\\${n})`, min, max, repeatable: true };
    }
    const cp = this.escapeCodePoint(ch, false);
    return one(litOut(cp));
  }

  /** The code point of a character escape `\n \xhh \uXXXX ...` (not categories, not digits). */
  private escapeCodePoint(ch: string, inClass: boolean): number {
    switch (ch) {
      case 'a':
        return 7;
      case 'f':
        return 12;
      case 'n':
        return 10;
      case 'r':
        return 13;
      case 't':
        return 9;
      case 'v':
        return 11;
      case 'x':
        return this.hexDigits(2, 'x');
      case 'u':
        return this.hexDigits(4, 'u');
      case 'U': {
        const cp = this.hexDigits(8, 'U');
        if (cp > 0x10ffff) this.err(`bad escape \\U${cp.toString(16)}`);
        return cp;
      }
      case 'N':
        this.unsupported('a named character escape \\N{...}');
      // falls through (unsupported throws)
      default:
        if (inClass && ch === 'b') return 8;
        if (ASCII_LETTERS.test(ch) || DIGIT.test(ch)) this.err(`bad escape \\${ch}`);
        return ch.codePointAt(0) ?? 0;
    }
  }

  private hexDigits(n: number, letter: string): number {
    let s = '';
    while (s.length < n && HEX.test(this.peek() ?? '')) s += this.get();
    if (s.length !== n) this.err(`incomplete escape \\${letter}${s}`);
    return parseInt(s, 16);
  }

  private parseClass(): Piece {
    const negate = this.eat('^');
    const ranges: Array<[number, number]> = [];
    const cats: Category[] = [];
    let first = true;
    for (;;) {
      const ch = this.get();
      if (ch === undefined) this.err('unterminated character set');
      if (ch === ']' && !first) break;
      first = false;
      let lo: number | Category;
      if (ch === '\\') lo = this.classEscape();
      else lo = ch.codePointAt(0) ?? 0;
      if (this.peek() === '-') {
        this.pos++;
        const that = this.get();
        if (that === undefined) this.err('unterminated character set');
        if (that === ']') {
          if (typeof lo === 'number') ranges.push([lo, lo]);
          else cats.push(lo);
          ranges.push([0x2d, 0x2d]);
          break;
        }
        const hi = that === '\\' ? this.classEscape() : (that.codePointAt(0) ?? 0);
        if (typeof lo !== 'number' || typeof hi !== 'number') this.err('bad character range');
        if (hi < lo) this.err('bad character range');
        ranges.push([lo, hi]);
      } else if (typeof lo === 'number') {
        ranges.push([lo, lo]);
      } else {
        cats.push(lo);
      }
    }
    const ascii = this.flags.a;
    const items = ranges.map(([lo, hi]) => (lo === hi ? litIn(lo) : `${litIn(lo)}-${litIn(hi)}`));
    const outers: string[] = [];
    for (const c of cats) {
      const inner = categoryInner(c, ascii);
      if (inner !== undefined) items.push(inner);
      else outers.push(categoryOuter(c, ascii));
    }
    const body = items.join('');
    let src: string;
    if (outers.length === 0) {
      src = body === '' ? (negate ? ANY_CP : '[]') : `[${negate ? '^' : ''}${body}]`;
    } else {
      const union = [...(body === '' ? [] : [`[${body}]`]), ...outers].join('|');
      src = negate ? `(?:(?!${union})${ANY_CP})` : `(?:${union})`;
    }
    return { src, min: 1, max: 1, repeatable: true };
  }

  private classEscape(): number | Category {
    const ch = this.get();
    if (ch === undefined) this.err('bad escape (end of pattern)');
    if ('dDwWsS'.includes(ch)) return ch as Category;
    if (OCT.test(ch)) {
      let oct = ch;
      while (oct.length < 3 && OCT.test(this.peek() ?? '')) oct += this.get();
      const v = parseInt(oct, 8);
      if (v > 0o377) this.err(`octal escape value \\${oct} outside of range 0-0o377`);
      return v;
    }
    if (DIGIT.test(ch)) this.err(`bad escape \\${ch}`);
    return this.escapeCodePoint(ch, true);
  }
}

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

/** Translate a Python `re` pattern to an equivalent JavaScript source and flags (sticky). */
export function translatePyRegex(pattern: string): TranslatedRegex {
  checkLength('regular expression', pattern, LIMITS.maxPatternLength);
  const parser = new Parser(pattern, { i: false, m: false, s: false, x: false, a: false });
  parser.parseLeadingFlags();
  const top = parser.parseTop();
  return { source: top.src, flags: `uy${parser.flags.i ? 'i' : ''}` };
}

const cache = new Map<string, RegExp>();

/** Compile a Python pattern (cached); `TargetError` when Python or this translation refuses it. */
export function compilePyRegex(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit !== undefined) return hit;
  const { source, flags } = translatePyRegex(pattern);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new TargetError(
      `regular expression ${JSON.stringify(pattern)} cannot be compiled: ${(err as Error).message}`,
      'unsupported',
    );
  }
  if (cache.size >= 512) cache.clear();
  cache.set(pattern, re);
  return re;
}

/** Python `bool(re.match(pattern, subject))`. */
export function pyReMatch(pattern: string, subject: string): boolean {
  const re = compilePyRegex(pattern);
  re.lastIndex = 0;
  return re.test(subject);
}
