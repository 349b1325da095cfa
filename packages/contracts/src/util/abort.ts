import { ErrorCodes, AbortError, TimeoutError } from '../errors/index.js';

/** Options every async Brine call accepts. */
export interface AbortOptions {
  /** Cancels the operation; it rejects with an AbortError (or the signal's reason). */
  signal?: AbortSignal;
  /** Milliseconds before the operation rejects with a TimeoutError. */
  timeout?: number;
}

export interface Deadline {
  /** Aborts on the caller's signal or when the timeout expires. */
  readonly signal: AbortSignal;
  /** Clears the timer and unlinks the caller's signal. Call it when the operation settles. */
  dispose(): void;
}

/**
 * Combines a caller's signal and a timeout into one signal whose `reason` is a typed error:
 * AbortError for the caller's abort, TimeoutError (with `what` in its message) for the timer.
 */
export function deadline(options: AbortOptions = {}, defaultTimeout?: number, what = 'operation'): Deadline {
  const controller = new AbortController();
  const { signal } = options;
  const timeout = options.timeout ?? defaultTimeout;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => {
    controller.abort(asAbortError(signal?.reason));
  };
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  if (timeout !== undefined && Number.isFinite(timeout) && !controller.signal.aborted) {
    timer = setTimeout(
      () =>
        controller.abort(
          new TimeoutError(ErrorCodes.TIMEOUT, `${what} timed out after ${timeout} ms`, { details: { timeout } }),
        ),
      Math.max(0, timeout),
    );
  }
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}

export function asAbortError(reason: unknown): Error {
  if (reason instanceof Error && typeof (reason as { code?: unknown }).code === 'string') return reason;
  return new AbortError(
    ErrorCodes.ABORTED,
    'The operation was aborted',
    reason === undefined ? undefined : { cause: reason },
  );
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw asAbortError(signal.reason);
}

/** Rejects when `signal` aborts, otherwise settles as `promise` does. Runs `onAbort` on abort. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined, onAbort?: () => void): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    onAbort?.();
    promise.catch(() => {});
    return Promise.reject(asAbortError(signal.reason));
  }
  return new Promise<T>((resolve, reject) => {
    const abort = (): void => {
      onAbort?.();
      reject(asAbortError(signal.reason));
    };
    signal.addEventListener('abort', abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', abort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', abort);
        reject(error);
      },
    );
  });
}

/** A promise with its resolve/reject exposed (Promise.withResolvers is Node 22+). */
export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function defer<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Waits `ms`, or rejects early when `signal` aborts. Timers are not a synchronisation tool: use for back-off only. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(asAbortError(signal.reason));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(asAbortError(signal?.reason));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
