import type { Duplex } from 'node:stream';

/**
 * Batches writes: a socket written to is corked until the event loop's next turn, so a burst of
 * publishes reaches each subscriber in one `writev` instead of one system call per message
 * (ws corks and uncorks around every frame; an outer cork holds them together). One timer serves
 * every socket of a server.
 */
export class Flusher {
  private readonly corked = new Set<Duplex>();
  private scheduled: ReturnType<typeof setImmediate> | undefined;

  /** Corks `socket` until the next turn of the event loop (no-op if it already is). */
  hold(socket: Duplex): void {
    if (this.corked.has(socket)) return;
    socket.cork();
    this.corked.add(socket);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Uncorks everything now. */
  flush(): void {
    if (this.scheduled !== undefined) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const sockets = [...this.corked];
    this.corked.clear();
    for (const socket of sockets) if (!socket.destroyed) socket.uncork();
  }
}
