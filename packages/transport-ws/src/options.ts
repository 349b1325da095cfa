import {
  ErrorCodes,
  ConfigError,
  resolveTransportOptions,
  type ResolvedTransportOptions,
  type TransportOptions,
} from '@brine/contracts';
import {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_HANDSHAKE_TIMEOUT,
  DEFAULT_MAX_BUFFERED_AMOUNT,
  DEFAULT_PUBLISH_PATH,
  DEFAULT_REQUEST_PATH,
} from './constants.js';

/** Options of the WebSocket transport: the shared {@link TransportOptions} plus these. */
export interface WsTransportOptions extends TransportOptions {
  /**
   * Publish server: the most bytes one subscriber may have buffered in this process (ws
   * `bufferedAmount`) before it counts as full, like `highWaterMark` does for messages.
   * Default 4 MiB.
   */
  maxBufferedAmount?: number;
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
  maxBufferedAmount: number;
  handshakeTimeout: number;
  closeTimeout: number;
  requestPath: string;
  publishPath: string;
  perMessageDeflate: boolean;
}

/** Fills in defaults and validates. Throws ConfigError (`ERR_CONFIG`). */
export function resolveWsOptions(options: WsTransportOptions = {}): ResolvedWsOptions {
  const base = resolveTransportOptions(options);
  return {
    ...base,
    maxBufferedAmount: positive('maxBufferedAmount', options.maxBufferedAmount, DEFAULT_MAX_BUFFERED_AMOUNT),
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
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(value)}`,
    );
  }
  return v;
}

function path(name: string, value: string | undefined, dflt: string): string {
  const v = value ?? dflt;
  if (typeof v !== 'string' || !v.startsWith('/'))
    throw new ConfigError(ErrorCodes.CONFIG, `${name} must start with '/', got ${String(value)}`);
  return v;
}
