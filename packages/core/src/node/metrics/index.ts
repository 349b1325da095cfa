/**
 * @packageDocumentation
 * `@brine/core/metrics` (Node only): a master's Prometheus series through prom-client, and the
 * bounded HTTP endpoint that serves them with `/healthz` and `/readyz`. Loaded only by those who
 * import it (the CLI imports it only when `metrics_port` is set); core itself does not depend on
 * prom-client: the series subscribe to `master.telemetry`, `master.onError` and `master.stats()`.
 *
 * ```ts
 * const metrics = createMasterMetrics(master);
 * const http = await startMetricsServer({ port: 9100, source: metrics.registry, ready: () => master.status === 'running' });
 * ```
 *
 * Every series: docs/metrics.md.
 */
export { createMasterMetrics, SIGN_IN_OUTCOMES } from './master-metrics.js';
export type { MasterMetrics, MasterMetricsOptions } from './master-metrics.js';
export { createMinionMetrics } from './minion-metrics.js';
export type { MinionMetrics, MinionMetricsOptions } from './minion-metrics.js';
export { METRICS_SERVER_DEFAULTS, startMetricsServer } from './http-server.js';
export type { MetricsServer, MetricsServerLimits, MetricsServerOptions, MetricsSource } from './http-server.js';
