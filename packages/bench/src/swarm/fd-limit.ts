/**
 * Open-file limits for a swarm: every minion holds two sockets in its process and two on the
 * master. Node cannot call setrlimit, so the orchestrator raises its own limit with util-linux's
 * `prlimit` (the hard limit too when run as root) before forking; the children inherit it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface FdLimits {
  soft: number;
  hard: number;
}

/** This process's RLIMIT_NOFILE from /proc (Linux); undefined elsewhere. */
export function fdLimits(pid: number | 'self' = 'self'): FdLimits | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line?.match(/\d+|unlimited/g) ?? []).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
    return soft === undefined || hard === undefined ? undefined : { soft, hard };
  } catch {
    return undefined;
  }
}

/** Raises the soft (and if allowed the hard) open-file limit to at least `wanted`; returns what it is now. */
export function raiseFdLimit(wanted: number): FdLimits | undefined {
  const now = fdLimits();
  if (!now || now.soft >= wanted) return now;
  const hard = Math.max(now.hard, wanted);
  // As root the hard limit can go up; otherwise only the soft one, to the hard limit.
  for (const value of [`${wanted}:${hard}`, `${Math.min(wanted, now.hard)}:${now.hard}`]) {
    const r = spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${value}`], { stdio: 'ignore' });
    if (r.status === 0) break;
  }
  return fdLimits();
}
