import { ErrorCodes, ConfigError } from '../errors/index.js';
import { silentLogger, type Logger } from '../logger.js';
import { DEFAULT_RECONNECT, type ReconnectOptions } from './reconnect.js';
import type { SlowSubscriberPolicy, TlsOptions, TransportOptions } from './types.js';

export const DEFAULT_MAX_MESSAGE_SIZE = 64 * 1024 * 1024;
export const DEFAULT_HIGH_WATER_MARK = 1000;

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
  };
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
