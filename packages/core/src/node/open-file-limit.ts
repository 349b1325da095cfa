import { readFileSync } from 'node:fs';

/**
 * The process's soft RLIMIT_NOFILE (`ulimit -n`), read from /proc/self/limits (Node has no
 * getrlimit). Undefined where that file does not exist (not Linux) or says "unlimited".
 */
export function readOpenFileLimit(limitsFile = '/proc/self/limits'): number | undefined {
  let text: string;
  try {
    text = readFileSync(limitsFile, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith('Max open files'));
  const soft = line?.slice('Max open files'.length).trim().split(/\s+/)[0];
  const n = soft === undefined ? NaN : Number(soft);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
