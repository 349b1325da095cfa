import { readFileSync, readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface GroupCpu {
  /** CPU seconds used so far by the live members of the process group. */
  seconds: number;
  at: number;
}

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/**
 * CPU time of every live process in a group (salt-master forks its workers into its group), read
 * from /proc. Processes that exited in between are not counted; salt-master's stay up.
 */
export function groupCpu(pgid: number): GroupCpu {
  let ticks = 0;
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return { seconds: 0, at: performance.now() };
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // exited meanwhile
    }
  }
  return { seconds: ticks / TICKS_PER_SECOND, at: performance.now() };
}

/** Cores used by the group between two readings. */
export function groupCores(a: GroupCpu, b: GroupCpu): number {
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? (b.seconds - a.seconds) / wall : 0;
}
