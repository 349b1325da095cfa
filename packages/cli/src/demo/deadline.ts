import { ErrorCodes, TimeoutError } from '@brine/contracts';

/** One deadline for the whole demo; `bound` makes any wait give up when it passes, naming the step. */
export class Deadline {
  /** What the demo is doing now (the timeout message names it). */
  step = 'starting';
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;

  constructor(seconds: number) {
    this.timer = setTimeout(
      () =>
        this.controller.abort(
          new TimeoutError(ErrorCodes.TIMEOUT, `the demo did not finish within ${seconds} s (at: ${this.step})`),
        ),
      seconds * 1000,
    );
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** `promise`, or the timeout error once the deadline passes. */
  bound<T>(promise: Promise<T>): Promise<T> {
    const { signal } = this.controller;
    return new Promise<T>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
  }
}
