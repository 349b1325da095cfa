import { stringify } from 'yaml';
import { formatNested } from './nested.js';
import { pyRepr, pyStr } from './python-repr.js';

export const OUTPUTTERS = ['nested', 'json', 'yaml', 'txt', 'raw'] as const;
export type Outputter = (typeof OUTPUTTERS)[number];

/** Formats `{minion id: return}` with one of Salt's outputters (`--out`). No trailing newline. */
export function formatOutput(out: Outputter, data: Record<string, unknown>): string {
  switch (out) {
    case 'json':
      return JSON.stringify(data, jsonSafe, 4);
    case 'yaml':
      return stringify(data, { indent: 2 }).trimEnd();
    case 'txt':
      return formatTxt(data);
    case 'nested':
      return formatNested(data);
    case 'raw':
      return pyRepr(data); // Salt's raw outputter: the Python repr of the data
  }
}

/** Salt's `txt` outputter: `id: value`, one line per line of a string value. */
function formatTxt(data: Record<string, unknown>): string {
  const lines: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') for (const l of value.split('\n')) lines.push(`${key}: ${l}`);
    else lines.push(`${key}: ${pyStr(value)}`);
  }
  return lines.join('\n');
}

function jsonSafe(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  return value;
}
