/**
 * Salt's `clean_key`: `"\n".join(k.strip().splitlines())`, the form key texts are compared in
 * (and the `pub` a minion sends).
 */
export function cleanKey(key: string): string {
  return key.replace(PY_STRIP, '').split(PY_SPLITLINES).join('\n');
}

// Python's str.isspace set (String.prototype.trim differs: it strips U+FEFF, keeps U+001C-U+001F and U+0085).
const PY_SPACE =
  '\\t\\n\\v\\f\\r\\u001c-\\u0020\\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');
// Python's str.splitlines boundaries; '\r\n' first so it counts as one break.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const PY_SPLITLINES = /\r\n|[\n\r\v\f\u001c\u001d\u001e\u0085\u2028\u2029]/;
