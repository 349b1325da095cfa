/**
 * @packageDocumentation
 * `@brine/bench`: Brine's benchmark harness. `runBench(options)` measures request/reply, publish
 * fan-out and auth handshakes on every transport, next to the raw library under it (zeromq.js,
 * node:net, ws) and, when a Salt venv exists, a real salt-master; it writes JSON and a
 * self-contained HTML page and can rewrite the results section of BENCHMARKS.md. The
 * `brine-bench` binary (and `brine bench`) is its command line.
 */
export { runBench } from './run.js';
export type { BenchOutputs } from './run.js';
export type { BenchOptions } from './options.js';
export type { Pinning } from './context.js';
export { main, parseCli, USAGE } from './cli.js';
export type * from './results.js';
export { FAMILIES, TRANSPORTS } from './results.js';
export { summarize, percentile, Samples, LogHistogram } from './stats/index.js';
export type { HistogramData } from './stats/index.js';
export { formatTable, renderTextTable } from './report/table.js';
export type { TextTableOptions } from './report/table.js';
export { formatHtml } from './report/html.js';
export {
  formatMarkdown,
  replaceBetweenMarkers,
  updateBenchmarksMd,
  BEGIN_MARKER,
  END_MARKER,
} from './report/markdown.js';
export { checkTargets } from './targets.js';
export { FULL, QUICK } from './profile.js';
export type { Profile } from './profile.js';
export { runSwarm, formatSwarm } from './swarm/run-swarm.js';
export type { SwarmOptions, SwarmResult, SwarmPublish, Percentiles } from './swarm/run-swarm.js';
export type { FdLimits } from './swarm/fd-limit.js';
export type { QueueSample } from './swarm/master-role.js';
export type { CpuUse } from './cpu.js';
