import type { BrineError } from '@brine/contracts';
import {
  isBrineError,
  ErrorCodes,
  FrameSplitter,
  ProtocolError,
  TransportError,
  type InboundBudget,
  type Logger,
} from '@brine/contracts';
import { socketError } from './errors.js';
import { decodeFrame, type Frame } from './framing.js';
import type { Socket } from './socket.js';

/** Server-side bounds of one connection (see the shared TransportOptions of the same names). */
export interface ConnectionBounds {
  /** Limit before `authenticate()`; 0: the connection counts as authenticated from the start. */
  authMaxMessageSize: number;
  /** ms to finish a message once its first byte arrived; 0 disables. */
  messageDeadline: number;
  /** ms the connection may stay unauthenticated; 0 disables. */
  unauthenticatedTimeout: number;
  /** Shared by every connection of the server. */
  budget: InboundBudget | undefined;
  /** Bytes of writes waiting; over it reading stops, and after `drainTimeout` the peer is dropped. */
  maxOutboundBuffer: number;
  drainTimeout: number;
  /** Told of every change of this connection's pending outbound bytes (server stats). */
  onOutbound?(from: number, to: number): void;
  /** Told once when the connection authenticates. */
  onAuthenticated?(): void;
}

export interface FramedConnectionOptions {
  maxMessageSize: number;
  /**
   * Drop the peer when its first frame does not arrive within this many ms (a peer that connects
   * and sends nothing). 0 disables. A started frame is bounded by `bounds.messageDeadline` instead.
   */
  idleTimeout: number;
  /** Apply `idleTimeout` to the first frame too (servers whose peers must speak first). Default true. */
  expectFirstFrame?: boolean;
  /** Servers only. Without it the connection has no auth limit, deadline, budget or outbound bound. */
  bounds?: ConnectionBounds;
  logger: Logger;
  /** `tcp://1.2.3.4:5678` for logs and errors. */
  label: string;
  onFrame(frame: Frame): void;
  /** Called once, synchronously, with the error that is about to close the connection. */
  onError?(error: BrineError): void;
}

/**
 * One TCP connection carrying Salt frames: cuts the byte stream into frames, decodes them, writes
 * encoded frames, and ends with the typed error that closed it (if any). On servers it enforces
 * the bounds: a small limit until `authenticate()`, an absolute deadline per message, a claim on the
 * server's inbound budget, and a bound on unwritten replies (reading stops while over it).
 */
export class FramedConnection {
  /** Settles when the socket is closed, with the error that closed it, or undefined for a clean close. */
  readonly closed: Promise<BrineError | undefined>;
  private readonly splitter: FrameSplitter;
  private error: BrineError | undefined;
  private sawFrame = false;
  private isClosed = false;
  private corked = false;
  private isAuthenticated: boolean;
  private claim = 0;
  private outbound = 0;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private unauthTimer: ReturnType<typeof setTimeout> | undefined;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  /** Why reading is stopped ('outbound', or the owner's reasons); frames cut meanwhile wait in `held`. */
  private readonly holds = new Set<string>();
  private readonly held: Frame[] = [];

  constructor(
    readonly socket: Socket,
    private readonly options: FramedConnectionOptions,
  ) {
    const bounds = options.bounds;
    this.isAuthenticated = !bounds || bounds.authMaxMessageSize <= 0;
    this.splitter = new FrameSplitter({
      maxMessageSize: this.isAuthenticated
        ? options.maxMessageSize
        : Math.min(bounds!.authMaxMessageSize, options.maxMessageSize),
    });
    this.sawFrame = options.expectFirstFrame === false;
    this.closed = new Promise((resolve) => {
      socket.once('close', () => {
        this.isClosed = true;
        this.release();
        resolve(this.error);
      });
    });
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => {
      // A peer that resets or vanishes is a disconnect, not bad input: keep it as the close reason only.
      this.error ??= socketError(error, options.label);
    });
    socket.on('timeout', () => {
      this.fail(
        new ProtocolError(
          ErrorCodes.IDLE_TIMEOUT,
          `${options.label} sent no complete frame for ${options.idleTimeout} ms`,
        ),
      );
    });
    if (bounds && !this.isAuthenticated && bounds.unauthenticatedTimeout > 0) {
      this.unauthTimer = setTimeout(() => {
        this.fail(
          new ProtocolError(
            ErrorCodes.UNAUTHENTICATED_TIMEOUT,
            `${options.label} did not authenticate within ${bounds.unauthenticatedTimeout} ms`,
            { details: { unauthenticatedTimeout: bounds.unauthenticatedTimeout } },
          ),
        );
      }, bounds.unauthenticatedTimeout);
      this.unauthTimer.unref();
    }
    this.armIdleTimer();
  }

  get open(): boolean {
    return !this.isClosed && !this.socket.destroyed;
  }

  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  /** The peer proved itself: full `maxMessageSize`, no unauthenticated clock. Idempotent. */
  authenticate(): void {
    if (this.isAuthenticated) return;
    this.isAuthenticated = true;
    this.splitter.limit = this.options.maxMessageSize;
    if (this.unauthTimer) clearTimeout(this.unauthTimer);
    this.unauthTimer = undefined;
    this.options.bounds?.onAuthenticated?.();
  }

  get needsDrain(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Bytes accepted by `write` but not yet handed to the kernel. */
  get pendingBytes(): number {
    return this.socket.writableLength;
  }

  /** Bytes of the partial message claimed against the inbound budget. */
  get inboundClaim(): number {
    return this.claim;
  }

  write(bytes: Uint8Array, callback?: (error?: Error | null) => void): boolean {
    const ok = this.socket.write(bytes, callback);
    const bounds = this.options.bounds;
    if (bounds) {
      this.noteOutbound();
      if (this.socket.writableLength > bounds.maxOutboundBuffer && !this.holds.has('outbound')) {
        this.hold('outbound');
        this.socket.once('drain', () => this.drained());
        if (bounds.drainTimeout > 0) {
          this.drainTimer = setTimeout(() => {
            this.fail(
              new TransportError(
                ErrorCodes.SLOW_READER,
                `${this.options.label} does not read its replies: ${this.socket.writableLength} bytes unwritten for ${bounds.drainTimeout} ms (maxOutboundBuffer ${bounds.maxOutboundBuffer})`,
                { details: { pending: this.socket.writableLength, maxOutboundBuffer: bounds.maxOutboundBuffer } },
              ),
            );
          }, bounds.drainTimeout);
          this.drainTimer.unref();
        }
      }
    }
    return ok;
  }

  /**
   * Corks the socket until the end of this tick, so every frame written in the meantime goes out
   * in one writev (many requests or replies in flight cost one syscall, not one each).
   */
  corkThisTick(): void {
    if (this.corked) return;
    this.corked = true;
    this.socket.cork();
    process.nextTick(() => {
      this.corked = false;
      this.socket.uncork();
    });
  }

  pause(): void {
    this.hold('owner');
  }

  resume(): void {
    this.unhold('owner');
  }

  /** Stops reading (and delivering frames already cut) until every reason is lifted by `unhold`. */
  hold(reason: string): void {
    this.holds.add(reason);
    this.socket.pause();
  }

  unhold(reason: string): void {
    if (!this.holds.delete(reason)) return;
    while (this.holds.size === 0 && this.held.length > 0 && this.open) this.options.onFrame(this.held.shift()!);
    if (this.holds.size === 0 && this.open) this.socket.resume();
  }

  /** Closes the connection; `error` becomes the reason `closed` reports. */
  fail(error: BrineError): void {
    this.setError(error);
    this.socket.destroy();
    this.release();
  }

  /** Closes with `error` as the reason once pending writes are flushed (destroyed if that takes over 1 s). */
  finish(error: BrineError): void {
    this.setError(error);
    this.hold('finishing');
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 1000);
    timer.unref();
    this.socket.once('close', () => clearTimeout(timer));
  }

  private setError(error: BrineError): void {
    if (this.error) return;
    this.error = error;
    this.options.onError?.(error);
  }

  /** Half-closes cleanly after pending writes, then destroys. */
  end(): void {
    this.socket.end();
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    if (!this.open) return;
    let frames: Uint8Array[];
    try {
      frames = this.splitter.push(chunk);
    } catch (error) {
      this.reject(error);
      return;
    }
    if (this.options.bounds && !this.account(frames.length > 0)) return;
    for (const bytes of frames) {
      if (!this.open) return;
      let frame: Frame;
      try {
        frame = decodeFrame(bytes, this.splitter.limit);
      } catch (error) {
        this.reject(error);
        return;
      }
      this.sawFrame = true;
      if (this.holds.size > 0) this.held.push(frame);
      else this.options.onFrame(frame);
    }
    this.armIdleTimer();
  }

  /** Moves this connection's budget claim and (re)arms the message deadline. False when it failed. */
  private account(completedSome: boolean): boolean {
    const bounds = this.options.bounds!;
    const claim = this.splitter.claim;
    if (bounds.budget && claim !== this.claim) {
      if (!bounds.budget.move(this.claim, claim)) {
        this.fail(bounds.budget.overBudgetError(claim, this.options.label));
        return false;
      }
      this.claim = claim;
    }
    if (claim === 0) {
      this.clearDeadline();
    } else if (completedSome || this.deadlineTimer === undefined) {
      // A new message started in this chunk: its clock starts now and is never re-armed by its bytes.
      this.clearDeadline();
      if (bounds.messageDeadline > 0) {
        this.deadlineTimer = setTimeout(() => {
          this.fail(
            new ProtocolError(
              ErrorCodes.MESSAGE_DEADLINE,
              `${this.options.label} did not finish a message within ${bounds.messageDeadline} ms (${this.splitter.buffered} of ${claim}+ bytes)`,
              { details: { messageDeadline: bounds.messageDeadline, received: this.splitter.buffered } },
            ),
          );
        }, bounds.messageDeadline);
        this.deadlineTimer.unref();
      }
    }
    return true;
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private drained(): void {
    if (this.drainTimer) clearTimeout(this.drainTimer);
    this.drainTimer = undefined;
    this.noteOutbound();
    this.unhold('outbound');
  }

  private noteOutbound(): void {
    const now = this.isClosed ? 0 : this.socket.writableLength;
    if (now === this.outbound) return;
    this.options.bounds?.onOutbound?.(this.outbound, now);
    this.outbound = now;
  }

  /** Gives back the budget claim and stops every timer (the connection is gone). */
  private release(): void {
    const bounds = this.options.bounds;
    if (bounds?.budget && this.claim > 0) bounds.budget.move(this.claim, 0);
    this.claim = 0;
    if (bounds && this.outbound > 0) {
      bounds.onOutbound?.(this.outbound, 0);
      this.outbound = 0;
    }
    this.held.length = 0;
    this.clearDeadline();
    for (const t of [this.unauthTimer, this.drainTimer]) if (t) clearTimeout(t);
    this.unauthTimer = undefined;
    this.drainTimer = undefined;
  }

  private reject(error: unknown): void {
    let typed = isBrineError(error)
      ? error
      : new ProtocolError(ErrorCodes.DECODE, `bad frame from ${this.options.label}`, { cause: error });
    if (typed.code === ErrorCodes.MESSAGE_TOO_LARGE) {
      // Refused at the declared length: say how little was read, and which limit applied.
      const limit = this.splitter.limit;
      typed = new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `${this.options.label}: message over the ${limit}-byte limit${this.isAuthenticated ? '' : ' of a connection not yet authenticated'}`,
        { cause: typed, details: { limit, authenticated: this.isAuthenticated, bytesRead: this.socket.bytesRead } },
      );
    }
    this.fail(typed);
  }

  private armIdleTimer(): void {
    const { idleTimeout } = this.options;
    if (idleTimeout <= 0) return;
    // Until the first frame: a silent peer. A started frame is the message deadline's business
    // (servers); clients keep the idle timer for a stalled frame.
    const waiting = !this.sawFrame || (!this.options.bounds && this.splitter.buffered > 0);
    this.socket.setTimeout(waiting ? idleTimeout : 0);
  }
}
