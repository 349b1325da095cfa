import {
  ConfigError,
  resolveTransportOptions,
  type ResolvedTransportOptions,
  type TransportOptions,
} from '@brine/core';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_DRAIN_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_PUBLISH_PATH,
  DEFAULT_REQUEST_PATH,
  DEFAULT_REQUEST_TIMEOUT,
} from './constants.js';

/** What a publish server does with a subscriber that stays full past `drainTimeout`. */
export type SlowSubscriberPolicy = 'disconnect' | 'drop';

/** Options of the WebSocket transport: the shared {@link TransportOptions} plus these. */
export interface WsTransportOptions extends TransportOptions {
  /**
   * Publish server: the most bytes one subscriber may have buffered in this process (ws
   * `bufferedAmount`) before it counts as full, like `highWaterMark` does for messages.
   * Default 4 MiB.
   */
  maxBufferedAmount?: number;
  /** Publish server: how long `publish` waits for a full subscriber before `slowSubscriber` applies. Default 5 000 ms. */
  drainTimeout?: number;
  /** Publish server: `'disconnect'` (default, `ERR_SLOW_SUBSCRIBER`) or `'drop'` (the subscriber misses messages). */
  slowSubscriber?: SlowSubscriberPolicy;
  /** Request client: timeout of a request whose caller gives none (Salt's `request_channel_timeout`). Default 60 000 ms; 0 disables. */
  requestTimeout?: number;
  /** Clients: the longest one opening handshake may take. Default 10 000 ms. */
  handshakeTimeout?: number;
  /** How long a close handshake may take before the socket is destroyed. Default 1 000 ms. */
  closeTimeout?: number;
  /** Clients: URL paths. Defaults are Salt's: `/` for requests, `/ws` for publishes. Servers accept any path. */
  requestPath?: string;
  publishPath?: string;
  /** permessage-deflate. Off by default (memory and latency; see ws#1369, nodejs/node#8871). */
  perMessageDeflate?: boolean;
}

export interface ResolvedWsOptions extends ResolvedTransportOptions {
  requestTimeout: number;
  maxBufferedAmount: number;
  drainTimeout: number;
  slowSubscriber: SlowSubscriberPolicy;
  handshakeTimeout: number;
  closeTimeout: number;
  requestPath: string;
  publishPath: string;
  perMessageDeflate: boolean;
}

/** Fills in defaults and validates. Throws ConfigError (`ERR_CONFIG`). */
export function resolveWsOptions(options: WsTransportOptions = {}): ResolvedWsOptions {
  const base = resolveTransportOptions(options);
  const slowSubscriber = options.slowSubscriber ?? 'disconnect';
  if (slowSubscriber !== 'disconnect' && slowSubscriber !== 'drop') {
    throw new ConfigError(`slowSubscriber must be 'disconnect' or 'drop', got ${String(slowSubscriber)}`);
  }
  return {
    ...base,
    requestTimeout: positive('requestTimeout', options.requestTimeout, DEFAULT_REQUEST_TIMEOUT, true),
    maxBufferedAmount: positive('maxBufferedAmount', options.maxBufferedAmount, DEFAULT_MAX_BUFFERED_AMOUNT),
    drainTimeout: positive('drainTimeout', options.drainTimeout, DEFAULT_DRAIN_TIMEOUT, true),
    slowSubscriber,
    handshakeTimeout: positive('handshakeTimeout', options.handshakeTimeout, DEFAULT_HANDSHAKE_TIMEOUT),
    closeTimeout: positive('closeTimeout', options.closeTimeout, DEFAULT_CLOSE_TIMEOUT, true),
    requestPath: path('requestPath', options.requestPath, DEFAULT_REQUEST_PATH),
    publishPath: path('publishPath', options.publishPath, DEFAULT_PUBLISH_PATH),
    perMessageDeflate: options.perMessageDeflate ?? false,
  };
}

function positive(name: string, value: number | undefined, dflt: number, allowZero = false): number {
  const v = value ?? dflt;
  if (typeof v !== 'number' || Number.isNaN(v) || v < 0 || (!allowZero && v === 0)) {
    throw new ConfigError(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`);
  }
  return v;
}

function path(name: string, value: string | undefined, dflt: string): string {
  const v = value ?? dflt;
  if (typeof v !== 'string' || !v.startsWith('/'))
    throw new ConfigError(`${name} must start with '/', got ${String(value)}`);
  return v;
}
