import { ErrorCodes, TransportError } from '@brine/contracts';
import type { WireSocket } from './socket.js';

export interface HeartbeatOptions {
  /** Ping when nothing arrived for this long (ms). */
  interval: number;
  /** Declare the peer dead when nothing arrived for this long (ms); 0 disables. */
  timeout: number;
}

/**
 * Client-side dead-peer detection: pings a quiet peer every `interval` and terminates the
 * connection with `ERR_PEER_DEAD` when nothing (no message, ping or pong) arrived for `timeout`.
 * Suspended while the socket is paused (the silence is ours, not the peer's). Needs a runtime that
 * can ping (Node); in browsers it only watches traffic, which a quiet master never sends, so it stays off there.
 */
export class Heartbeat {
  private lastSeen = Date.now();
  /** Set on traffic, turned into `lastSeen` at the next check (cheaper than a clock read per message). */
  private seen = false;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly socket: WireSocket,
    private readonly options: HeartbeatOptions,
  ) {
    if (!socket.canPing || options.timeout === 0) return;
    const tick = Math.max(1, Math.min(options.interval, options.timeout));
    this.timer = setInterval(() => this.check(), tick);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** Something arrived from the peer. */
  touch(): void {
    this.seen = true;
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const now = Date.now();
    if (this.seen || this.socket.paused) {
      this.seen = false;
      this.lastSeen = now;
      return;
    }
    const quiet = now - this.lastSeen;
    if (quiet >= this.options.timeout) {
      this.stop();
      this.socket.terminate(
        new TransportError(ErrorCodes.PEER_DEAD, `no traffic from the peer for ${quiet} ms`, {
          details: { heartbeatTimeout: this.options.timeout },
        }),
      );
    } else if (quiet >= this.options.interval) {
      this.socket.ping();
    }
  }
}
