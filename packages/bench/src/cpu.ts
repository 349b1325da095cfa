import { performance } from 'node:perf_hooks';

/** A point-in-time reading of one process's CPU time and event-loop activity. */
export interface CpuSnapshot {
  /** µs of user and system CPU time since the process started (all threads). */
  user: number;
  system: number;
  /** performance.now() of this process, ms. */
  at: number;
  /** Event-loop idle and active time, ms. */
  idle: number;
  active: number;
}

export interface CpuUse {
  /** CPU time ÷ wall time: 1 = one core busy all the time. */
  cores: number;
  /** Event-loop utilisation of the main thread over the interval (0..1). */
  elu: number;
  wallMs: number;
}

export function cpuSnapshot(): CpuSnapshot {
  const { user, system } = process.cpuUsage();
  const { idle, active } = performance.eventLoopUtilization();
  return { user, system, at: performance.now(), idle, active };
}

/** CPU use between two snapshots of the same process. */
export function cpuBetween(start: CpuSnapshot, end: CpuSnapshot): CpuUse {
  const wallMs = Math.max(1e-3, end.at - start.at);
  const cpuMs = (end.user - start.user + end.system - start.system) / 1000;
  const idle = end.idle - start.idle;
  const active = end.active - start.active;
  return { cores: cpuMs / wallMs, elu: active + idle > 0 ? active / (active + idle) : 0, wallMs };
}

/** Measures `fn`'s CPU use in this process. */
export async function withCpu<T>(fn: () => Promise<T>): Promise<{ value: T; cpu: CpuUse }> {
  const start = cpuSnapshot();
  const value = await fn();
  return { value, cpu: cpuBetween(start, cpuSnapshot()) };
}
