/**
 * Typed errors. Every error Brine raises or emits is a {@link BrineError} with a stable
 * `code` (listed in docs/errors.md) and, where it wraps another failure, a `cause`.
 * Match on `code`, never on the message text.
 */

export const ErrorCodes = {
  // lifecycle and flow control
  ABORTED: 'ERR_ABORTED',
  TIMEOUT: 'ERR_TIMEOUT',
  CLOSED: 'ERR_CLOSED',
  CONNECTION_LOST: 'ERR_CONNECTION_LOST',
  UNREACHABLE: 'ERR_UNREACHABLE',
  ADDRESS_IN_USE: 'ERR_ADDRESS_IN_USE',
  QUEUE_FULL: 'ERR_QUEUE_FULL',
  SLOW_SUBSCRIBER: 'ERR_SLOW_SUBSCRIBER',
  PEER_DEAD: 'ERR_PEER_DEAD',
  IDLE_TIMEOUT: 'ERR_IDLE_TIMEOUT',
  /** A peer did not finish a message within `messageDeadline` of its first byte. */
  MESSAGE_DEADLINE: 'ERR_MESSAGE_DEADLINE',
  /** A connection did not authenticate within `unauthenticatedTimeout`. */
  UNAUTHENTICATED_TIMEOUT: 'ERR_UNAUTHENTICATED_TIMEOUT',
  /** The server's aggregate inbound budget (`inboundBudget`) is spent: a new large message was refused. */
  OVER_BUDGET: 'ERR_OVER_BUDGET',
  /** A listener is at `maxConnections` or `maxUnauthenticatedConnections`: the new connection was closed. */
  TOO_MANY_CONNECTIONS: 'ERR_TOO_MANY_CONNECTIONS',
  /** A peer stayed over `maxOutboundBuffer` (it does not read its replies) for `drainTimeout`. */
  SLOW_READER: 'ERR_SLOW_READER',
  TLS: 'ERR_TLS',
  INVALID_ARGUMENT: 'ERR_INVALID_ARGUMENT',
  INVALID_STATE: 'ERR_INVALID_STATE',
  UNKNOWN_TRANSPORT: 'ERR_UNKNOWN_TRANSPORT',
  HANDLER: 'ERR_HANDLER',
  // bad input on the wire
  MESSAGE_TOO_LARGE: 'ERR_MESSAGE_TOO_LARGE',
  DECODE: 'ERR_DECODE',
  ENCODE: 'ERR_ENCODE',
  BAD_FRAME: 'ERR_BAD_FRAME',
  // channel, auth and crypto (Salt protocol)
  BAD_LOAD: 'ERR_BAD_LOAD',
  CLEAR_FORBIDDEN: 'ERR_CLEAR_FORBIDDEN',
  UNKNOWN_COMMAND: 'ERR_UNKNOWN_COMMAND',
  VERSION_TOO_OLD: 'ERR_VERSION_TOO_OLD',
  INVALID_MINION_ID: 'ERR_INVALID_MINION_ID',
  AUTHENTICATION: 'ERR_AUTHENTICATION',
  BAD_SIGNATURE: 'ERR_BAD_SIGNATURE',
  NONCE_MISMATCH: 'ERR_NONCE_MISMATCH',
  REPLAY: 'ERR_REPLAY',
  TOKEN_INVALID: 'ERR_TOKEN_INVALID',
  REQUEST_EXPIRED: 'ERR_REQUEST_EXPIRED',
  MASTER_KEY_CHANGED: 'ERR_MASTER_KEY_CHANGED',
  AUTH_REJECTED: 'ERR_AUTH_REJECTED',
  AUTH_DENIED: 'ERR_AUTH_DENIED',
  AUTH_PENDING: 'ERR_AUTH_PENDING',
  AUTH_FULL: 'ERR_AUTH_FULL',
  AUTH_FAILED: 'ERR_AUTH_FAILED',
  UNSUPPORTED_SUITE: 'ERR_UNSUPPORTED_SUITE',
  KEY_FORMAT: 'ERR_KEY_FORMAT',
  CRYPTO: 'ERR_CRYPTO',
  KEY_STORE: 'ERR_KEY_STORE',
  CONFIG: 'ERR_CONFIG',
  REMOTE: 'ERR_REMOTE',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface BrineErrorOptions {
  cause?: unknown;
  /** Structured context (peer address, minion id, sizes...) for logs. Never secrets. */
  details?: Readonly<Record<string, unknown>>;
}

export class BrineError extends Error {
  static override name = 'BrineError';
  readonly code: ErrorCode;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options: BrineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends BrineError {
  static override name = 'AbortError';
  constructor(message = 'The operation was aborted', options?: BrineErrorOptions) {
    super(ErrorCodes.ABORTED, message, options);
  }
}

/** The operation did not finish within its timeout. */
export class TimeoutError extends BrineError {
  static override name = 'TimeoutError';
  constructor(message = 'The operation timed out', options?: BrineErrorOptions) {
    super(ErrorCodes.TIMEOUT, message, options);
  }
}

/** The transport, channel or connection is closed, or closed while the operation was pending. */
export class ClosedError extends BrineError {
  static override name = 'ClosedError';
  constructor(message = 'Closed', options?: BrineErrorOptions, code: ErrorCode = ErrorCodes.CLOSED) {
    super(code, message, options);
  }
}

/** A transport-level failure: unreachable peer, lost connection, full queue, TLS. */
export class TransportError extends BrineError {
  static override name = 'TransportError';
}

/** A peer sent bytes that are not a valid message: malformed msgpack, bad frame, oversized. */
export class ProtocolError extends BrineError {
  static override name = 'ProtocolError';
}

/** Authentication, key acceptance or message authenticity failed. */
export class AuthError extends BrineError {
  static override name = 'AuthError';
}

/** A cryptographic operation failed (bad key format, decrypt failure, unsupported suite). */
export class CryptoError extends BrineError {
  static override name = 'CryptoError';
}

/** Invalid configuration or arguments. */
export class ConfigError extends BrineError {
  static override name = 'ConfigError';
  constructor(message: string, options?: BrineErrorOptions, code: ErrorCode = ErrorCodes.CONFIG) {
    super(code, message, options);
  }
}

export function isBrineError(value: unknown): value is BrineError {
  return value instanceof BrineError;
}

/** Wraps anything thrown into a BrineError, keeping BrineErrors as they are. */
export function toBrineError(value: unknown, code: ErrorCode, message?: string): BrineError {
  if (value instanceof BrineError) return value;
  const text = message ?? (value instanceof Error ? value.message : String(value));
  return new BrineError(code, text, { cause: value });
}
