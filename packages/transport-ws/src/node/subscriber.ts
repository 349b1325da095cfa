import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import { ErrorCodes, TransportError, type BrineError, type PeerInfo } from '@brine/contracts';
import type { SlowSubscriberPolicy } from '@brine/contracts';
import type { Flusher } from './flusher.js';

export interface SubscriberLimits {
  /** Most messages handed to the socket and not yet written out (`highWaterMark`). */
  highWaterMark: number;
  /** Most bytes buffered in this process for the subscriber (ws `bufferedAmount`). */
  maxBufferedAmount: number;
  drainTimeout: number;
  slowSubscriber: SlowSubscriberPolicy;
}

export interface SubscriberHooks {
  /** 'disconnect' policy fired: report `error`; the subscriber has already been terminated. */
  slow(subscriber: Subscriber, error: BrineError): void;
  /** 'drop' policy: `count` messages were not delivered to this subscriber. */
  drop(subscriber: Subscriber, count: number): void;
}

interface Waiting {
  frame: Uint8Array;
  deadline: number;
  resolve(): void;
}

/**
 * One publish subscriber and its slow-subscriber policy.
 *
 * A subscriber is *full* when `highWaterMark` messages are written to its socket but not yet flushed
 * to the kernel, or when `maxBufferedAmount` bytes are buffered for it. A message for a full
 * subscriber waits in a backlog (at most `highWaterMark` entries, sharing the frame with every other
 * subscriber) for up to `drainTimeout`; then, or when the backlog is full, the policy applies:
 *
 * - `disconnect`: the socket is destroyed at once (no close handshake behind megabytes of data),
 *   its buffers are released and `ERR_SLOW_SUBSCRIBER` is reported. It gets everything after it reconnects.
 * - `drop`: the backlog is discarded (a `drop` event counts it) and the subscriber is *lagging*: later
 *   messages are dropped at once, without waiting, until it has drained to half of both bounds.
 *
 * Server-side memory per subscriber therefore stays under `maxBufferedAmount` plus one frame, plus a
 * backlog that lives at most `drainTimeout`; and no subscriber holds up a publish for longer than
 * `drainTimeout`, only once (a lagging or disconnected subscriber holds up nothing).
 */
export class Subscriber {
  /** Minion id proved by a presence message; undefined for a subscriber that never identified (Salt). */
  minionId: string | undefined;
  /** Messages this subscriber missed under the `drop` policy. */
  dropped = 0;
  /** The most bytes ever buffered for this subscriber (for metrics and tests). */
  maxBufferedSeen = 0;
  /** A presence message is being verified. */
  verifyingPresence = false;

  private unflushed = 0;
  private readonly backlog: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lagging = false;
  private gone = false;

  constructor(
    readonly ws: WebSocket,
    /** The connection's socket, corked by `flusher` across a burst of writes. */
    private readonly socket: Duplex,
    readonly peer: PeerInfo,
    private readonly limits: SubscriberLimits,
    private readonly hooks: SubscriberHooks,
    private readonly flusher: Flusher,
  ) {}

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Messages waiting in the backlog. */
  get queued(): number {
    return this.backlog.length;
  }

  get isLagging(): boolean {
    return this.lagging;
  }

  /** Whether a publish with these topics is for this subscriber. Unidentified subscribers get everything, as with Salt. */
  wants(topics: readonly string[] | undefined): boolean {
    return topics === undefined || this.minionId === undefined || topics.includes(this.minionId);
  }

  /**
   * Hands a frame to the subscriber. Returns undefined when it was written or dropped at once, or a
   * promise that settles when it leaves the backlog (written, dropped or cut off).
   */
  offer(frame: Uint8Array): Promise<void> | undefined {
    if (this.gone) return undefined;
    if (this.lagging) {
      if (!this.recovered()) {
        this.dropped++;
        this.hooks.drop(this, 1);
        return undefined;
      }
      this.lagging = false;
    }
    if (this.backlog.length === 0 && this.hasRoom()) {
      this.write(frame);
      return undefined;
    }
    if (this.backlog.length >= this.limits.highWaterMark) {
      this.applyPolicy('backlog full');
      if (this.gone) return undefined;
      this.dropped++;
      this.hooks.drop(this, 1);
      return undefined;
    }
    return new Promise<void>((resolve) => {
      this.backlog.push({ frame, deadline: Date.now() + this.limits.drainTimeout, resolve });
      this.arm();
    });
  }

  /** The connection is gone: settle the backlog, stop timers. */
  closed(): void {
    this.gone = true;
    this.release();
  }

  private hasRoom(): boolean {
    return this.unflushed < this.limits.highWaterMark && this.ws.bufferedAmount < this.limits.maxBufferedAmount;
  }

  private recovered(): boolean {
    return (
      this.backlog.length === 0 &&
      this.unflushed <= this.limits.highWaterMark / 2 &&
      this.ws.bufferedAmount <= this.limits.maxBufferedAmount / 2
    );
  }

  private write(frame: Uint8Array): void {
    this.flusher.hold(this.socket);
    this.unflushed++;
    this.ws.send(frame, { binary: true, compress: false }, () => {
      this.unflushed--;
      this.pump();
    });
    const buffered = this.ws.bufferedAmount;
    if (buffered > this.maxBufferedSeen) this.maxBufferedSeen = buffered;
  }

  private pump(): void {
    while (!this.gone && this.backlog.length > 0 && this.hasRoom()) {
      const next = this.backlog.shift()!;
      this.write(next.frame);
      next.resolve();
    }
    if (this.backlog.length === 0) this.disarm();
    else this.arm();
  }

  private arm(): void {
    if (this.timer !== undefined || this.backlog.length === 0) return;
    const wait = Math.max(0, this.backlog[0]!.deadline - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.applyPolicy(`not drained within ${this.limits.drainTimeout} ms`);
    }, wait);
    this.timer.unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private applyPolicy(why: string): void {
    if (this.gone) return;
    if (this.limits.slowSubscriber === 'disconnect') {
      const error = new TransportError(ErrorCodes.SLOW_SUBSCRIBER, `slow subscriber ${this.peer.id} cut off: ${why}`, {
        details: {
          peer: this.peer.id,
          minionId: this.minionId,
          bufferedAmount: this.ws.bufferedAmount,
          queued: this.backlog.length,
          maxBufferedAmount: this.limits.maxBufferedAmount,
          highWaterMark: this.limits.highWaterMark,
        },
      });
      this.gone = true;
      this.release();
      this.ws.terminate();
      this.hooks.slow(this, error);
      return;
    }
    const count = this.backlog.length;
    this.lagging = true;
    this.release();
    if (count > 0) {
      this.dropped += count;
      this.hooks.drop(this, count);
    }
  }

  private release(): void {
    this.disarm();
    for (const waiting of this.backlog.splice(0)) waiting.resolve();
  }
}
