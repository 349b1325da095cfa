import { ErrorCodes, TransportError, type BrineError } from '@brine/contracts';
import type { WebSocket } from 'ws';

interface Watched {
  ws: WebSocket;
  lastSeen: number;
  /** Traffic since the last sweep (cheaper than a clock read per frame). */
  seen: boolean;
  onDead(error: BrineError): void;
}

/**
 * Server-side liveness for open WebSocket connections: one timer for the whole server pings every
 * connection that was quiet for `interval` and reports (`ERR_PEER_DEAD`) one that sent nothing at
 * all, not even a pong, for `timeout`. Browsers and aiohttp (Salt) answer pings on their own, so a
 * live but silent subscriber (a salt-minion never writes on the publish socket) stays connected.
 * Connections we paused are skipped: their silence is ours.
 */
export class Liveness {
  private readonly watched = new Map<WebSocket, Watched>();
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly interval: number,
    private readonly timeout: number,
  ) {}

  watch(ws: WebSocket, onDead: (error: BrineError) => void): void {
    const entry: Watched = { ws, lastSeen: Date.now(), seen: false, onDead };
    this.watched.set(ws, entry);
    const touch = (): void => {
      entry.seen = true;
    };
    ws.on('message', touch);
    ws.on('ping', touch);
    ws.on('pong', touch);
    ws.once('close', () => this.watched.delete(ws));
    if (!this.timer && this.timeout > 0) {
      this.timer = setInterval(() => this.sweep(), Math.max(1, Math.min(this.interval, this.timeout)));
      this.timer.unref();
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.watched.clear();
  }

  private sweep(): void {
    const now = Date.now();
    for (const entry of this.watched.values()) {
      if (entry.seen || entry.ws.isPaused) {
        entry.seen = false;
        entry.lastSeen = now;
        continue;
      }
      const quiet = now - entry.lastSeen;
      if (quiet >= this.timeout) {
        this.watched.delete(entry.ws);
        entry.onDead(
          new TransportError(ErrorCodes.PEER_DEAD, `no traffic from the peer for ${quiet} ms`, {
            details: { heartbeatTimeout: this.timeout },
          }),
        );
      } else if (quiet >= this.interval && entry.ws.readyState === entry.ws.OPEN) {
        entry.ws.ping();
      }
    }
  }
}
