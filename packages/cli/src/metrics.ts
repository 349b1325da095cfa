import type { Logger } from '@brine/contracts';
import type { Master, Minion } from '@brine/core';

/** `metrics_port` / `metrics_host`: the daemon's opt-in HTTP endpoint (off unless `metrics_port` is set). */
export type MetricsConfig = Readonly<Record<string, unknown>>;

/** The port asked for, or undefined when the endpoint is off (unset, null or ''). */
export function metricsPortOf(config: MetricsConfig): number | undefined {
  const port = config.metrics_port;
  return typeof port === 'number' ? port : undefined;
}

/**
 * Starts `/metrics`, `/healthz` and `/readyz` for a master or minion when `metrics_port` is set;
 * `@brine/core/metrics` (and prom-client) are loaded only then. Resolves with the function that
 * stops it, or undefined when the endpoint is off.
 */
export async function startDaemonMetrics(
  daemon: { kind: 'master'; master: Master } | { kind: 'minion'; minion: Minion },
  config: MetricsConfig,
  ready: () => boolean,
  logger: Logger,
): Promise<(() => Promise<void>) | undefined> {
  const port = metricsPortOf(config);
  if (port === undefined) return undefined;
  const { createMasterMetrics, createMinionMetrics, startMetricsServer } = await import('@brine/core/metrics');
  const metrics = daemon.kind === 'master' ? createMasterMetrics(daemon.master) : createMinionMetrics(daemon.minion);
  const host =
    typeof config.metrics_host === 'string' && config.metrics_host !== '' ? config.metrics_host : '127.0.0.1';
  let server;
  try {
    server = await startMetricsServer({ host, port, source: metrics.registry, ready, logger: logger.child('metrics') });
  } catch (error) {
    metrics.dispose();
    throw error;
  }
  const { address } = server;
  const shown = address.host.includes(':') ? `[${address.host}]` : address.host;
  logger.info(`Metrics on http://${shown}:${address.port}/metrics (health: /healthz, readiness: /readyz)`);
  return async () => {
    await server.close();
    metrics.dispose();
  };
}
