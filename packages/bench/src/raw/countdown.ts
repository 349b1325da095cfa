import { ErrorCodes, TimeoutError } from '@brine/contracts';

/** Counts events (connections, subscriptions) and lets callers wait for a total, event-driven. */
export interface Countdown {
  readonly count: number;
  tick(by?: number): void;
  /** Resolves once `target` ticks were seen; rejects with ERR_TIMEOUT after `timeout` ms. */
  reach(target: number, timeout: number, what: string): Promise<void>;
}

export function countdown(): Countdown {
  let count = 0;
  const waiters = new Set<{ target: number; resolve: () => void }>();
  return {
    get count() {
      return count;
    },
    tick(by = 1) {
      count += by;
      for (const w of waiters) {
        if (count >= w.target) {
          waiters.delete(w);
          w.resolve();
        }
      }
    },
    reach(target, timeout, what) {
      if (count >= target) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          target,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new TimeoutError(ErrorCodes.TIMEOUT, `${what}: ${count} of ${target} after ${timeout} ms`));
        }, timeout);
        waiters.add(waiter);
      });
    },
  };
}
