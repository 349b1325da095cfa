import { rmSync } from 'node:fs';
import { writeResults } from './results.js';
import { RESULTS_DIR } from './run-case.js';

/** Clears the per-case records before the run; writes test/adversarial/RESULTS.md after it. */
export default function setup(): () => void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  const started = Date.now();
  return () => writeResults((Date.now() - started) / 1000);
}
