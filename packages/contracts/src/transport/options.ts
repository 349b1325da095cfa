import { ErrorCodes, ConfigError } from '../errors/index.js';
import { silentLogger, type Logger } from '../logger.js';
import { DEFAULT_RECONNECT, type ReconnectOptions } from './reconnect.js';
import type { SlowSubscriberPolicy, TlsOptions, TransportOptions } from './types.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
export const DEFAULT_HIGH_WATER_MARK = 1000;
/** Defaults of the server bounds (see {@link TransportOptions} for each). */
export const DEFAULT_BOUNDS = Object.freeze({
  authMaxMessageSize: 16 * 1024,
  messageDeadline: 30_000,
  unauthenticatedTimeout: 10_000,
  inboundBudget: 256 * 1024 * 1024,
  maxOutboundBuffer: 8 * 1024 * 1024,
  maxRequestsInFlight: 64,
  maxConnections: 20_000,
  maxUnauthenticatedConnections: 1_000,
});

export interface ResolvedTransportOptions {
  logger: Logger;
  maxMessageSize: number;
  highWaterMark: number;
  reconnect: Required<ReconnectOptions>;
  ssl: TlsOptions | undefined;
  ipv6: boolean;
  tcpKeepalive: boolean;
  tcpKeepaliveIdle: number;
  idleTimeout: number;
  heartbeatTimeout: number;
  heartbeatInterval: number;
  requestTimeout: number;
  drainTimeout: number;
  slowSubscriber: SlowSubscriberPolicy;
  /** 0 = no separate limit (every connection counts as authenticated). */
  authMaxMessageSize: number;
  messageDeadline: number;
  unauthenticatedTimeout: number;
  inboundBudget: number;
  maxOutboundBuffer: number;
  maxRequestsInFlight: number;
  maxConnections: number;
  maxUnauthenticatedConnections: number;
}

/** Fills in defaults and validates the options every transport shares. Throws ConfigError. */
export function resolveTransportOptions(options: TransportOptions = {}): ResolvedTransportOptions {
  const positive = (name: string, v: number | undefined, dflt: number, allowZero = false): number => {
    const value = v ?? dflt;
    if (typeof value !== 'number' || Number.isNaN(value) || value < 0 || (!allowZero && value === 0)) {
      throw new ConfigError(
        ErrorCodes.CONFIG,
        `${name} must be a ${allowZero ? 'non-negative' : 'positive'} number, got ${String(v)}`,
      );
    }
    return value;
  };
  return {
    logger: options.logger ?? silentLogger,
    maxMessageSize: positive('maxMessageSize', options.maxMessageSize, DEFAULT_MAX_MESSAGE_SIZE),
    highWaterMark: positive('highWaterMark', options.highWaterMark, DEFAULT_HIGH_WATER_MARK),
    reconnect: { ...DEFAULT_RECONNECT, ...stripUndefined(options.reconnect ?? {}) },
    ssl: options.ssl === true ? {} : options.ssl === false ? undefined : options.ssl,
    ipv6: options.ipv6 ?? false,
    tcpKeepalive: options.tcpKeepalive ?? true,
    tcpKeepaliveIdle: positive('tcpKeepaliveIdle', options.tcpKeepaliveIdle, 300),
    idleTimeout: positive('idleTimeout', options.idleTimeout, 30_000, true),
    heartbeatTimeout: positive('heartbeatTimeout', options.heartbeatTimeout, 30_000, true),
    heartbeatInterval: positive('heartbeatInterval', options.heartbeatInterval, 10_000),
    requestTimeout: positive('requestTimeout', options.requestTimeout, 60_000, true),
    drainTimeout: positive('drainTimeout', options.drainTimeout, 5_000, true),
    slowSubscriber: slowSubscriberPolicy(options.slowSubscriber),
    authMaxMessageSize: positive(
      'authMaxMessageSize',
      options.authMaxMessageSize,
      DEFAULT_BOUNDS.authMaxMessageSize,
      true,
    ),
    messageDeadline: positive('messageDeadline', options.messageDeadline, DEFAULT_BOUNDS.messageDeadline, true),
    unauthenticatedTimeout: positive(
      'unauthenticatedTimeout',
      options.unauthenticatedTimeout,
      DEFAULT_BOUNDS.unauthenticatedTimeout,
      true,
    ),
    inboundBudget: positive('inboundBudget', options.inboundBudget, DEFAULT_BOUNDS.inboundBudget),
    maxOutboundBuffer: positive('maxOutboundBuffer', options.maxOutboundBuffer, DEFAULT_BOUNDS.maxOutboundBuffer),
    maxRequestsInFlight: positive(
      'maxRequestsInFlight',
      options.maxRequestsInFlight,
      DEFAULT_BOUNDS.maxRequestsInFlight,
    ),
    maxConnections: positive('maxConnections', options.maxConnections, DEFAULT_BOUNDS.maxConnections),
    maxUnauthenticatedConnections: positive(
      'maxUnauthenticatedConnections',
      options.maxUnauthenticatedConnections,
      DEFAULT_BOUNDS.maxUnauthenticatedConnections,
    ),
  };
}

/**
 * The shared server bounds read from a daemon config by their Salt-style names (sizes in bytes,
 * times in seconds as Salt's timeouts are). Each transport's `optionsFromConfig` spreads this.
 */
export function boundsFromConfig(config: Readonly<Record<string, unknown>>): Partial<TransportOptions> {
  const out: Partial<Record<keyof typeof DEFAULT_BOUNDS, number>> = {};
  const bytes = (salt: string, key: keyof typeof DEFAULT_BOUNDS): void => {
    const v = config[salt];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number')
      throw new ConfigError(ErrorCodes.CONFIG, `${salt} must be a number, got ${JSON.stringify(v)}`);
    out[key] = v;
  };
  const seconds = (salt: string, key: keyof typeof DEFAULT_BOUNDS): void => {
    const v = config[salt];
    if (v === undefined || v === null) return;
    if (typeof v !== 'number')
      throw new ConfigError(ErrorCodes.CONFIG, `${salt} must be a number of seconds, got ${JSON.stringify(v)}`);
    out[key] = v * 1000;
  };
  bytes('auth_max_message_size', 'authMaxMessageSize');
  seconds('message_deadline', 'messageDeadline');
  seconds('unauthenticated_timeout', 'unauthenticatedTimeout');
  bytes('inbound_budget', 'inboundBudget');
  bytes('max_outbound_buffer', 'maxOutboundBuffer');
  bytes('max_requests_in_flight', 'maxRequestsInFlight');
  bytes('max_connections', 'maxConnections');
  bytes('max_unauthenticated_connections', 'maxUnauthenticatedConnections');
  return out;
}

function slowSubscriberPolicy(value: SlowSubscriberPolicy | undefined): SlowSubscriberPolicy {
  const policy = value ?? 'disconnect';
  if (policy !== 'disconnect' && policy !== 'drop') {
    throw new ConfigError(ErrorCodes.CONFIG, `slowSubscriber must be 'disconnect' or 'drop', got ${String(value)}`);
  }
  return policy;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
