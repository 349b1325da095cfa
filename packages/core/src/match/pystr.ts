/**
 * Python's `str()` of JSON-like values, `str.split()` and `int()` on a string: what Salt's
 * grain/pillar matching applies to a value before comparing it (salt/utils/data.py
 * subdict_match._match does `str(target).lower()`).
 *
 * Known gap: JavaScript numbers do not say whether they were ints or floats, so a value that
 * is integral prints as a Python int (`3`, never `3.0`, and `10000000000000000`, never
 * `1e+16`); every other number prints as Python's float repr.
 */

/** Python's str.isspace() characters (what `str.split()` with no argument splits on). */
export const PY_WHITESPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

const SPLIT_RE = new RegExp(`[${PY_WHITESPACE}]+`, 'u');

/** Python `s.split()`: split on runs of whitespace, no empty words. */
export function pySplit(s: string): string[] {
  return s.split(SPLIT_RE).filter((w) => w !== '');
}

/** Python `int(s)` for a str (ASCII digits; surrounding whitespace, sign and `_` between digits). */
export function pyInt(s: string): number | undefined {
  const m = /^[\s]*([+-]?)(\d+(?:_\d+)*)[\s]*$/.exec(s);
  if (!m) return undefined;
  const n = Number((m[1] ?? '') + (m[2] ?? '').replace(/_/g, ''));
  return Number.isSafeInteger(n) ? n : undefined;
}

/** Python's repr() of a float (the shortest round-trip digits, Python's notation rules). */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant = '0', expStr = '0'] = x.toExponential().split('e');
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(expStr);
  let body: string;
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp).toString().padStart(2, '0');
    body = `${m}e${exp < 0 ? '-' : '+'}${e}`;
  } else if (exp < 0) {
    body = `0.${'0'.repeat(-exp - 1)}${digits}`;
  } else if (digits.length > exp + 1) {
    body = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    body = `${digits}${'0'.repeat(exp + 1 - digits.length)}.0`;
  }
  return neg ? `-${body}` : body;
}

function pyNumber(x: number): string {
  if (Number.isInteger(x) && !Object.is(x, -0)) return BigInt(x).toString();
  return pyFloatRepr(x);
}

const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's repr() of a str. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) {
      if (cp < 0x100) out += `\\x${cp.toString(16).padStart(2, '0')}`;
      else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
      else out += `\\U${cp.toString(16).padStart(8, '0')}`;
    } else out += ch;
  }
  return out + quote;
}

/** Python's repr() of a JSON-like value (lists and dicts print their items with repr). */
export function pyRepr(value: unknown): string {
  if (typeof value === 'string') return pyStrRepr(value);
  return pyStr(value);
}

/** Python's str() of a JSON-like value. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number') return pyNumber(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  if (value instanceof Uint8Array) {
    let out = "b'";
    for (const b of value) {
      if (b === 0x27 || b === 0x5c) out += `\\${String.fromCharCode(b)}`;
      else if (b === 0x0a) out += '\\n';
      else if (b === 0x0d) out += '\\r';
      else if (b === 0x09) out += '\\t';
      else if (b < 0x20 || b >= 0x7f) out += `\\x${b.toString(16).padStart(2, '0')}`;
      else out += String.fromCharCode(b);
    }
    return `${out}'`;
  }
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyStrRepr(k)}: ${pyRepr(v)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}
