/**
 * Messages between a {@link WorkerPool} and the workers it runs ({@link serveWorker}), and the
 * error form that crosses the thread boundary. Structured clone keeps an Error's message but drops
 * `code`, `details` and the class, so errors travel as {@link SerializedError} and are rebuilt as
 * the matching BrineError class on the calling thread.
 */
import {
  brineError,
  ErrorCodes,
  isBrineError,
  type BrineError,
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
  if (isBrineError(value) && value.details !== undefined) out.details = value.details;
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

/**
 * Rebuilds a worker's error on this thread: the class its code belongs to, or `fallback`'s class
 * when the worker threw something else; `cause` is the worker's error.
 */
export function reviveError(error: SerializedError, fallback: ErrorCode): BrineError {
  const options: BrineErrorOptions = { cause: remoteError(error) };
  if (error.details !== undefined) options.details = error.details;
  if (isErrorCode(error.code)) {
    return brineError(error.code, error.message, options);
  }
  return brineError(fallback, error.message, options);
}
