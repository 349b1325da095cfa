import { ERROR_CATALOGUE, type CodesOf, type ErrorClassName } from './catalogue.js';
import type { ErrorCode } from './codes.js';

export interface BrineErrorOptions {
  cause?: unknown;
  /** Structured context (peer address, minion id, sizes...) for logs. Never secrets. */
  details?: Readonly<Record<string, unknown>>;
}

/**
 * Marks Brine errors across package copies: with two versions of @brine/contracts installed,
 * `instanceof` sees two different classes, the registered symbol is the same in both.
 */
const BRAND = Symbol.for('@brine/contracts/error');

/**
 * The base of every error Brine raises. Every class takes the same `(code, message, options)`;
 * each code belongs to exactly one class (see `ERROR_CATALOGUE`), and the subclasses accept only
 * their own codes. Match on `code`, never on the message text.
 */
export class BrineError<C extends ErrorCode = ErrorCode> extends Error {
  static override name = 'BrineError';
  readonly code: C;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: C, message: string, options: BrineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortError extends BrineError<CodesOf<'AbortError'>> {
  static override name = 'AbortError';
}

/** The operation did not finish within its timeout. */
export class TimeoutError extends BrineError<CodesOf<'TimeoutError'>> {
  static override name = 'TimeoutError';
}

/** The transport, channel or connection is closed, or closed while the operation was pending. */
export class ClosedError extends BrineError<CodesOf<'ClosedError'>> {
  static override name = 'ClosedError';
}

/** The object's state does not allow the call (listen twice, start twice, not started). */
export class StateError extends BrineError<CodesOf<'StateError'>> {
  static override name = 'StateError';
}

/** A transport-level failure: unreachable peer, lost connection, full queue, TLS. */
export class TransportError extends BrineError<CodesOf<'TransportError'>> {
  static override name = 'TransportError';
}

/** A peer sent bytes that are not a valid message: malformed msgpack, bad frame, oversized. */
export class ProtocolError extends BrineError<CodesOf<'ProtocolError'>> {
  static override name = 'ProtocolError';
}

/** Authentication, key acceptance or message authenticity failed. */
export class AuthError extends BrineError<CodesOf<'AuthError'>> {
  static override name = 'AuthError';
}

/** A cryptographic operation failed (bad key format, decrypt failure, unsupported suite). */
export class CryptoError extends BrineError<CodesOf<'CryptoError'>> {
  static override name = 'CryptoError';
}

/** The key store refused a path or could not read or write a key. */
export class KeyStoreError extends BrineError<CodesOf<'KeyStoreError'>> {
  static override name = 'KeyStoreError';
}

/** Invalid configuration or arguments. */
export class ConfigError extends BrineError<CodesOf<'ConfigError'>> {
  static override name = 'ConfigError';
}

type AnyErrorClass = new (code: never, message: string, options?: BrineErrorOptions) => BrineError;

const CLASSES: Record<ErrorClassName, AnyErrorClass> = {
  BrineError,
  AbortError,
  TimeoutError,
  ClosedError,
  StateError,
  TransportError,
  ProtocolError,
  AuthError,
  CryptoError,
  KeyStoreError,
  ConfigError,
};

/** Builds the error of the class `code` belongs to (useful when the code is only known at run time). */
export function brineError(code: ErrorCode, message: string, options?: BrineErrorOptions): BrineError {
  const Class = CLASSES[ERROR_CATALOGUE[code].class] as new (
    code: ErrorCode,
    message: string,
    options?: BrineErrorOptions,
  ) => BrineError;
  return new Class(code, message, options);
}

/** True for a Brine error from any installed copy of @brine/contracts (not only this one). */
export function isBrineError(value: unknown): value is BrineError {
  if (typeof value !== 'object' || value === null) return false;
  return (value as { [BRAND]?: unknown })[BRAND] === true && typeof (value as { code?: unknown }).code === 'string';
}

/** True when `value` is a Brine error with this code. */
export function hasErrorCode<C extends ErrorCode>(value: unknown, code: C): value is BrineError<C> {
  return isBrineError(value) && value.code === code;
}

/** Wraps anything thrown into a BrineError of `code`'s class, keeping BrineErrors as they are. */
export function toBrineError(value: unknown, code: ErrorCode, message?: string): BrineError {
  if (isBrineError(value)) return value;
  const text = message ?? (value instanceof Error ? value.message : String(value));
  return brineError(code, text, { cause: value });
}
