/**
 * Messages between a {@link WorkerPool} and the workers it runs ({@link serveWorker}), and the
 * error form that crosses the thread boundary. Structured clone keeps an Error's message but drops
 * `code`, `details` and the class, so errors travel as {@link SerializedError} and are rebuilt as
 * the matching BrineError class on the calling thread.
 */
import {
  AbortError,
  AuthError,
  BrineError,
  ClosedError,
  ConfigError,
  CryptoError,
  ErrorCodes,
  ProtocolError,
  TimeoutError,
  TransportError,
  type BrineErrorOptions,
  type ErrorCode,
} from '@brine/contracts';

/** Pool -> worker. `setup` messages run before every later message on that worker. */
export type ToWorker =
  | { t: 'task'; id: number; op: string; args: readonly unknown[] }
  | { t: 'setup'; id: number; op: string; args: readonly unknown[] };

/** Worker -> pool. */
export type FromWorker =
  | { t: 'ready' }
  | { t: 'init-error'; error: SerializedError }
  | { t: 'done'; id: number; ok: true; value: unknown }
  | { t: 'done'; id: number; ok: false; error: SerializedError };

export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
  details?: Readonly<Record<string, unknown>>;
  cause?: SerializedError;
}

/** Built-in op answered by every worker: its `threadId` (diagnostics, tests). */
export const THREAD_ID_OP = '$threadId';

const MAX_CAUSE_DEPTH = 4;

export function serializeError(value: unknown, depth = 0): SerializedError {
  if (!(value instanceof Error)) return { name: 'Error', message: String(value) };
  const out: SerializedError = { name: value.name, message: value.message };
  const code = (value as { code?: unknown }).code;
  if (typeof code === 'string') out.code = code;
  if (value.stack !== undefined) out.stack = value.stack;
  if (value instanceof BrineError && value.details !== undefined) out.details = value.details;
  if (value.cause !== undefined && depth < MAX_CAUSE_DEPTH) out.cause = serializeError(value.cause, depth + 1);
  return out;
}

const BRINE_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCodes));

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && BRINE_CODES.has(value);
}

/** The worker-side error as a plain Error (its stack is the worker's), for `cause`. */
export function remoteError(error: SerializedError): Error {
  const remote = new Error(error.message, error.cause === undefined ? undefined : { cause: remoteError(error.cause) });
  remote.name = error.name;
  if (error.code !== undefined) Object.assign(remote, { code: error.code });
  remote.stack = error.stack ?? `${error.name}: ${error.message}`;
  return remote;
}

type Rebuild = (code: ErrorCode, message: string, options: BrineErrorOptions) => BrineError | undefined;

const CLASSES: Readonly<Record<string, Rebuild>> = {
  BrineError: (code, message, options) => new BrineError(code, message, options),
  CryptoError: (code, message, options) => new CryptoError(code, message, options),
  AuthError: (code, message, options) => new AuthError(code, message, options),
  ProtocolError: (code, message, options) => new ProtocolError(code, message, options),
  TransportError: (code, message, options) => new TransportError(code, message, options),
  ClosedError: (code, message, options) => new ClosedError(message, options, code),
  ConfigError: (code, message, options) => new ConfigError(message, options, code),
  TimeoutError: (code, message, options) =>
    code === ErrorCodes.TIMEOUT ? new TimeoutError(message, options) : undefined,
  AbortError: (code, message, options) => (code === ErrorCodes.ABORTED ? new AbortError(message, options) : undefined),
};

/**
 * Rebuilds a worker's error on this thread: the same BrineError class and code when the worker
 * threw a BrineError, else a BrineError with `fallback`; `cause` is the worker's error.
 */
export function reviveError(error: SerializedError, fallback: ErrorCode): BrineError {
  const options: BrineErrorOptions = { cause: remoteError(error) };
  if (error.details !== undefined) options.details = error.details;
  if (isErrorCode(error.code)) {
    const rebuilt = CLASSES[error.name]?.(error.code, error.message, options);
    return rebuilt ?? new BrineError(error.code, error.message, options);
  }
  return new BrineError(fallback, error.message, options);
}
