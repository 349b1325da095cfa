import { pyRepr } from './python-repr.js';

/**
 * Salt's `nested` outputter (the default of `salt`), without colours:
 *
 * ```
 * alpha:
 *     True
 * beta:
 *     ----------
 *     key:
 *         value
 * ```
 */
export function formatNested(data: unknown, indent = 0): string {
  return display(data, indent, '', []).join('\n');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

function line(indent: number, prefix: string, text: string, suffix = ''): string {
  return `${' '.repeat(indent)}${prefix}${text}${suffix}`;
}

function display(ret: unknown, indent: number, prefix: string, out: string[]): string[] {
  if (ret instanceof Uint8Array) ret = new TextDecoder().decode(ret);
  if (
    ret === null ||
    ret === undefined ||
    typeof ret === 'boolean' ||
    typeof ret === 'number' ||
    typeof ret === 'bigint'
  ) {
    out.push(line(indent, prefix, pyRepr(ret)));
  } else if (typeof ret === 'string') {
    // Python's str.splitlines(): an empty string prints nothing.
    const lines = ret.split(/\r\n|\r|\n/);
    if (lines[lines.length - 1] === '') lines.pop();
    lines.forEach((text, i) => out.push(line(indent, i === 0 ? prefix : ' '.repeat(prefix.length), text)));
  } else if (Array.isArray(ret)) {
    for (const item of ret) {
      if (Array.isArray(item) || isMapping(item)) {
        out.push(line(indent, '', '|_'));
        display(item, indent + 2, isMapping(item) ? '' : '- ', out);
      } else {
        display(item, indent, '- ', out);
      }
    }
  } else if (isMapping(ret)) {
    if (indent) out.push(line(indent, '', '----------'));
    for (const key of Object.keys(ret).sort()) {
      out.push(line(indent, prefix, key, ':'));
      display(ret[key], indent + 4, '', out);
    }
  } else {
    out.push(line(indent, prefix, String(ret)));
  }
  return out;
}
