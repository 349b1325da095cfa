import { performance } from 'node:perf_hooks';
import type { Summary } from '../results.js';
import { Samples } from '../stats/index.js';
import type { Requester } from './types.js';

export interface LoopResult {
  requests: number;
  errors: number;
  seconds: number;
  latencyUs: Summary;
  /** First error seen, for the report. */
  firstError?: string;
}

/** Stop issuing after this many failures: a dead server must not turn the loop into a spin. */
const MAX_ERRORS = 100;

/**
 * A closed loop: keeps `inflight` requests outstanding for `durationMs`, each completion issuing
 * the next one, then waits for the stragglers. Every round trip is timed. Throughput is completed
 * requests over the time from the first send to the last reply.
 */
export function closedLoop(
  requester: Requester,
  payload: Uint8Array,
  inflight: number,
  durationMs: number,
  record = true,
): Promise<LoopResult> {
  const samples = new Samples(record ? 1 << 16 : 16);
  return new Promise((resolve) => {
    const start = performance.now();
    const end = start + durationMs;
    let outstanding = 0;
    let requests = 0;
    let errors = 0;
    let last = start;
    let firstError: string | undefined;
    const issue = (): void => {
      const t0 = performance.now();
      outstanding++;
      requester.send(payload, (error?: unknown) => {
        const t1 = performance.now();
        outstanding--;
        last = t1;
        if (error === undefined) {
          requests++;
          if (record) samples.push((t1 - t0) * 1000);
        } else {
          errors++;
          firstError ??= error instanceof Error ? error.message : String(error);
        }
        if (t1 < end && errors < MAX_ERRORS) issue();
        else if (outstanding === 0) {
          resolve({
            requests,
            errors,
            seconds: (last - start) / 1000,
            latencyUs: samples.summary(),
            ...(firstError === undefined ? {} : { firstError }),
          });
        }
      });
    };
    for (let i = 0; i < inflight; i++) issue();
  });
}

/** A payload of `size` bytes (not all zero, so nothing can shortcut it). */
export function makePayload(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}
