import { defer, type BrineError, type PeerInfo } from '@brine/contracts';

let nextId = 0;

/** One client's connection to a server in the same process. */
export class Link {
  readonly peer: PeerInfo;
  private readonly ended = defer<BrineError | undefined>();
  private readonly abort = new AbortController();
  private isUp = true;

  constructor(transport: string) {
    this.peer = { id: `memory-${++nextId}`, transport };
  }

  get up(): boolean {
    return this.isUp;
  }

  /** Aborts when the link goes down (what a handler's `signal` follows). */
  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** Resolves when the link goes down, with the reason if it was an error. */
  get down(): Promise<BrineError | undefined> {
    return this.ended.promise;
  }

  close(reason?: BrineError): void {
    if (!this.isUp) return;
    this.isUp = false;
    this.abort.abort(reason);
    this.ended.resolve(reason);
  }
}
