/**
 * Salt's `yamlify_arg` for the minion side, without a YAML library (core also runs in browsers):
 * the YAML 1.1 scalars PyYAML's SafeLoader resolves (null, booleans, ints, floats, quoted
 * strings) and JSON-shaped flow collections. Anything else stays the text, as Salt keeps a value
 * it cannot load. The `brine run` CLI uses a full YAML parser for its arguments.
 */
const NULLS = new Set(['~', 'null', 'Null', 'NULL', 'None']);
const TRUE = new Set(['yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const FALSE = new Set(['no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);
const INT = /^[-+]?(?:0|[1-9][0-9_]*)$/;
const OCT = /^[-+]?0[0-7_]+$/;
const HEX = /^[-+]?0x[0-9a-fA-F_]+$/;
const BIN = /^[-+]?0b[01_]+$/;
const FLOAT = /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?$/;
const SPECIAL_FLOAT = /^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

export function yamlifyScalar(text: string): unknown {
  const s = text.trim();
  if (s === '' || s === '---' || s === '...') return text;
  if (text.includes('_') && /^[\d_]+$/.test(s)) return text;
  if (/[\t\r\n]/.test(text) || text.includes('#')) return text;
  if (NULLS.has(s)) return null;
  if (TRUE.has(s)) return true;
  if (FALSE.has(s)) return false;
  const int = (digits: string, radix: number) => {
    const neg = digits.startsWith('-');
    const body = digits.replace(/^[-+]/, '').replace(/_/g, '');
    const n = parseInt(radix === 10 ? body : body.replace(/^0[xb]?/, '') || '0', radix);
    return Number.isSafeInteger(n) ? (neg ? -n : n) : text;
  };
  if (INT.test(s)) return int(s, 10);
  if (HEX.test(s)) return int(s, 16);
  if (BIN.test(s)) return int(s, 2);
  if (OCT.test(s)) return int(s, 8);
  if (FLOAT.test(s) && /[0-9]/.test(s)) return Number(s.replace(/_/g, ''));
  if (SPECIAL_FLOAT.test(s))
    return s.includes('nan') || s.includes('NaN') || s.includes('NAN') ? NaN : s.startsWith('-') ? -Infinity : Infinity;
  if (s.length >= 2 && ((s.startsWith("'") && s.endsWith("'")) || (s.startsWith('"') && s.endsWith('"')))) {
    if (s.startsWith("'")) return s.slice(1, -1).replace(/''/g, "'");
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return text;
    }
  }
  if ((s.startsWith('[') && s.endsWith(']')) || (s.startsWith('{') && s.endsWith('}'))) {
    try {
      return JSON.parse(s) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}
