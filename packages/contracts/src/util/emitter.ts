import { ErrorCodes, AbortError } from '../errors/index.js';

/** A listener for an event whose arguments are `A`. */
export type Listener<A extends unknown[]> = (...args: A) => void;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyListener = (...args: any[]) => void;

/**
 * A small typed event emitter that runs in Node and in browsers.
 * A listener that throws does not stop the others; the error goes to `onListenerError`.
 */
export class TypedEmitter<Events extends { [K in keyof Events]: unknown[] }> {
  private readonly listeners = new Map<keyof Events, Set<AnyListener>>();

  constructor(private readonly onListenerError: (error: unknown) => void = reportListenerError) {}

  /** Adds a listener; returns a function that removes it. */
  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    set.add(listener as AnyListener);
    return () => this.off(event, listener);
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): void {
    this.listeners.get(event)?.delete(listener as AnyListener);
  }

  /**
   * Resolves with the arguments of the next `event` for which `filter` (if given) returns true.
   * Rejects with an AbortError when `signal` aborts.
   */
  once<K extends keyof Events>(
    event: K,
    options: { signal?: AbortSignal; filter?: (...args: Events[K]) => boolean } = {},
  ): Promise<Events[K]> {
    const { signal, filter } = options;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason ?? new AbortError(ErrorCodes.ABORTED, 'The operation was aborted'));
        return;
      }
      const onAbort = (): void => {
        off();
        reject(signal?.reason ?? new AbortError(ErrorCodes.ABORTED, 'The operation was aborted'));
      };
      const off = this.on(event, (...args) => {
        if (filter && !filter(...args)) return;
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(args);
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  emit<K extends keyof Events>(event: K, ...args: Events[K]): boolean {
    const set = this.listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        this.onListenerError(error);
      }
    }
    return true;
  }

  listenerCount(event: keyof Events): number {
    return this.listeners.get(event)?.size ?? 0;
  }

  removeAllListeners(): void {
    this.listeners.clear();
  }
}

function reportListenerError(error: unknown): void {
  console.error('[ERROR   ] event listener threw', error);
}
