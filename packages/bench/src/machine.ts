import { availableParallelism, cpus, hostname, loadavg, release, totalmem, type } from 'node:os';
import type { Pinning } from './context.js';
import { rawVersions } from './raw/libs.js';
import type { MachineInfo } from './results.js';

/** The machine the run happened on, read at run time. */
export function machineInfo(pinning: Pinning): MachineInfo {
  const list = cpus();
  const [l1, l5, l15] = loadavg();
  return {
    hostname: hostname(),
    platform: `${type()} ${process.arch}`,
    kernel: release(),
    cpuModel: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    availableParallelism: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: [round2(l1 ?? 0), round2(l5 ?? 0), round2(l15 ?? 0)],
    node: process.version,
    v8: process.versions.v8,
    openssl: process.versions.openssl ?? 'none',
    ...rawVersions(),
    pinning:
      pinning === 'off'
        ? 'none (the OS schedules every process)'
        : pinning === 'same'
          ? 'all bench processes on CPU 0 (taskset)'
          : 'servers on CPU 0, load generators on CPU 1 (taskset)',
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
