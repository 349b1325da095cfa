import { resolveTransportOptions, type ResolvedTransportOptions, type TransportOptions } from '@brine/core';

export interface TcpTransportOptions extends TransportOptions {
  /** Default per-request timeout in ms when the caller gives none (Salt's `request_channel_timeout`, 60 s). */
  requestTimeout?: number;
  /** How long `publish` waits for a full subscriber before applying `slowSubscriber` (Salt's `publish_drain_timeout`). Default 5000 ms. */
  drainTimeout?: number;
  /** What happens to a subscriber that stays full past `drainTimeout`. Default `disconnect`. */
  slowSubscriber?: 'disconnect' | 'drop';
  /** Listen backlog (Salt uses 5 for tcp; we default to 511, Node's default). */
  backlog?: number;
}

export interface ResolvedTcpOptions extends ResolvedTransportOptions {
  requestTimeout: number;
  drainTimeout: number;
  slowSubscriber: 'disconnect' | 'drop';
  backlog: number;
}

export function resolveTcpOptions(options: TcpTransportOptions = {}): ResolvedTcpOptions {
  return {
    ...resolveTransportOptions(options),
    requestTimeout: options.requestTimeout ?? 60_000,
    drainTimeout: options.drainTimeout ?? 5_000,
    slowSubscriber: options.slowSubscriber ?? 'disconnect',
    backlog: options.backlog ?? 511,
  };
}
