import { readdirSync, readFileSync } from 'node:fs';

/** Resident set size of a process in bytes (VmRSS in /proc/<pid>/status), or undefined once it is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd), or undefined once it is gone. */
export function fdsOf(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** Is the process alive (and not a zombie)? */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Samples a process's RSS every `interval` ms until stopped; keeps the peak. */
export class RssSampler {
  peak = 0;
  last = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    interval = 50,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), interval);
  }

  sample(): number {
    const rss = rssOf(this.pid) ?? 0;
    this.last = rss;
    if (rss > this.peak) this.peak = rss;
    return rss;
  }

  stop(): number {
    clearInterval(this.timer);
    return this.sample();
  }
}
