import { defer, type Deferred } from '@brine/contracts';

/** Idempotent close with a `closed` promise that settles once, whoever closed the object. */
export class Lifecycle {
  private readonly done: Deferred<void> = defer<void>();
  private closing: Promise<void> | undefined;

  get isClosed(): boolean {
    return this.closing !== undefined;
  }

  get closed(): Promise<void> {
    return this.done.promise;
  }

  /** Runs `shutdown` the first time only; every call resolves when it has finished. */
  close(shutdown: () => Promise<void>): Promise<void> {
    this.closing ??= shutdown().finally(() => this.done.resolve());
    return this.closing;
  }
}
