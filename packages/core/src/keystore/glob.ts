/**
 * Python's `fnmatch` (what `salt-key` matches ids with): `*` any run, `?` one character,
 * `[seq]` / `[!seq]` a set with ranges; an unclosed `[` is literal. Case-sensitive (POSIX).
 */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (c === '*') {
      while (chars[i + 1] === '*') i++;
      out += '.*';
    } else if (c === '?') {
      out += '.';
    } else if (c === '[') {
      const end = closingBracket(chars, i);
      if (end < 0) {
        out += '\\[';
        continue;
      }
      out += charSet(chars.slice(i + 1, end));
      i = end;
    } else {
      out += escapeChar(c);
    }
  }
  return new RegExp(`^(?:${out})$`, 'su');
}

export function fnmatch(name: string, pattern: string): boolean {
  return globToRegExp(pattern).test(name);
}

function closingBracket(chars: string[], open: number): number {
  let j = open + 1;
  if (chars[j] === '!') j++;
  if (chars[j] === ']') j++;
  while (j < chars.length && chars[j] !== ']') j++;
  return j < chars.length ? j : -1;
}

function charSet(body: string[]): string {
  let negate = false;
  if (body[0] === '!') {
    negate = true;
    body = body.slice(1);
  }
  let set = '';
  for (let k = 0; k < body.length; k++) {
    const lo = body[k]!;
    const hi = body[k + 2];
    if (body[k + 1] === '-' && hi !== undefined) {
      // Python drops reversed ranges (`[z-a]` matches nothing from them).
      if (lo.codePointAt(0)! <= hi.codePointAt(0)!) set += `${escapeSetChar(lo)}-${escapeSetChar(hi)}`;
      k += 2;
    } else {
      set += escapeSetChar(lo);
    }
  }
  if (set === '') return negate ? '.' : '(?!)';
  return `[${negate ? '^' : ''}${set}]`;
}

function escapeChar(c: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(c) ? `\\${c}` : c;
}

function escapeSetChar(c: string): string {
  return /[\\\]^[-]/.test(c) ? `\\${c}` : c;
}
