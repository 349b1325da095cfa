import { performance } from 'node:perf_hooks';

/** Wall-clock ms with sub-ms resolution, comparable between the processes of one machine. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
