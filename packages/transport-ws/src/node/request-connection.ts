import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import {
  BrineError,
  isBrineError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  type ServerCounters,
  type PeerInfo,
  type RequestContext,
  type RequestHandler,
} from '@brine/contracts';
import { CLOSE_TEXT, CloseCodes } from '../constants.js';
import { decodeMessage, encodeMessage } from '../frames.js';
import type { ResolvedWsOptions } from '../options.js';
import { ReplyOrder, type SlotOutcome } from '../server/reply-order.js';
import { closeGracefully } from './close.js';
import { receiverOf, type ReceiverView } from './receiver.js';

/** What a connection shares with its server for the bounds. */
export interface ConnectionBounds {
  /** The TCP (or TLS) socket under the WebSocket: its `drain` says replies went out. */
  socket: Duplex;
  counters: ServerCounters;
  /** Told once when the handler authenticates the connection. */
  onAuthenticated(): void;
}

/**
 * One client connection of the request server. Each binary message is one request
 * (`salt.payload.dumps(envelope)`); handlers run concurrently, replies leave in request order (one
 * binary message each). The text frame `close` closes the connection after the replies before it
 * (Salt); any other text frame, or a message that is not msgpack, is a protocol error that closes
 * the connection at once. When `highWaterMark` requests are being handled the connection stops
 * reading until one finishes.
 */
export class RequestConnection {
  private readonly controller = new AbortController();
  private readonly order: ReplyOrder<BrineError>;
  private readonly context: RequestContext;
  private ending = false;
  /** Messages read while reading is held (at most one socket read's worth). */
  private readonly held: Array<[Buffer, boolean]> = [];
  /** Why reading is stopped: 'inflight' (maxRequestsInFlight), 'outbound' (maxOutboundBuffer). */
  private readonly holds = new Set<string>();
  private readonly receiver: ReceiverView;
  private readonly inFlightLimit: number;
  private isAuthenticated: boolean;
  private limit: number;
  private claim = 0;
  private outbound = 0;
  private messages = 0;
  private deadlineFor = -1;
  private deadlineTimer: ReturnType<typeof setTimeout> | undefined;
  private unauthTimer: ReturnType<typeof setTimeout> | undefined;
  private drainTimer: ReturnType<typeof setTimeout> | undefined;
  private dropReason: BrineError | undefined;

  constructor(
    private readonly ws: WebSocket,
    readonly peer: PeerInfo,
    private readonly handler: RequestHandler,
    private readonly options: ResolvedWsOptions,
    private readonly report: (error: BrineError, peer: PeerInfo) => void,
    private readonly bounds: ConnectionBounds,
  ) {
    this.context = {
      peer,
      signal: this.controller.signal,
      authenticate: () => this.authenticate(),
      drop: (error) => {
        // Nothing more is read or handled; closed (1008) once the replies owed are sent.
        this.dropReason ??= error;
        this.hold('dropped');
      },
    };
    this.inFlightLimit = Math.min(options.highWaterMark, options.maxRequestsInFlight);
    this.order = new ReplyOrder<BrineError>({
      send: (frame) => {
        this.ws.send(frame, { binary: true, compress: false });
        this.afterSend();
        if (this.dropReason) this.fail(this.dropReason, CloseCodes.POLICY_VIOLATION);
        else this.maybeResume();
      },
      close: (code, error) => this.end(code, error),
    });
    this.receiver = receiverOf(ws);
    this.isAuthenticated = options.authMaxMessageSize <= 0;
    this.limit = options.maxMessageSize;
    if (!this.isAuthenticated) {
      this.limit = Math.min(options.authMaxMessageSize, options.maxMessageSize);
      this.receiver.setMaxPayload(this.limit);
      if (options.unauthenticatedTimeout > 0) {
        this.unauthTimer = setTimeout(() => {
          this.drop(
            new ProtocolError(
              ErrorCodes.UNAUTHENTICATED_TIMEOUT,
              `peer ${peer.id} did not authenticate within ${options.unauthenticatedTimeout} ms`,
              { details: { unauthenticatedTimeout: options.unauthenticatedTimeout } },
            ),
          );
        }, options.unauthenticatedTimeout);
        this.unauthTimer.unref();
      }
    }
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
    // Registered after ws's own listener: runs once the frame parser has taken the chunk.
    bounds.socket.on('data', () => this.account());
  }

  /** Requests being handled or waiting for their reply's turn. */
  get inFlight(): number {
    return this.order.pending;
  }

  get authenticated(): boolean {
    return this.isAuthenticated;
  }

  /** The handler says the peer proved itself: full maxMessageSize, no unauthenticated clock. */
  authenticate(): void {
    if (this.isAuthenticated) return;
    this.isAuthenticated = true;
    this.limit = this.options.maxMessageSize;
    this.receiver.setMaxPayload(this.limit);
    if (this.unauthTimer) clearTimeout(this.unauthTimer);
    this.unauthTimer = undefined;
    this.bounds.onAuthenticated();
  }

  /** Moves the budget claim of the partial message and (re)arms its deadline. */
  private account(): void {
    if (this.ending) return;
    const claim = this.receiver.claim;
    // Over the limit in force: the parser is refusing it (ERR_MESSAGE_TOO_LARGE), nothing is held.
    if (claim > this.limit) return;
    const { budget } = this.bounds.counters;
    if (claim !== this.claim) {
      if (!budget.move(this.claim, claim)) {
        this.drop(budget.overBudgetError(claim, `peer ${this.peer.id}`));
        return;
      }
      this.claim = claim;
    }
    if (claim === 0) {
      this.clearDeadline();
      return;
    }
    // A message started since the last one completed: its clock starts now, never re-armed by its bytes.
    if (this.deadlineTimer !== undefined && this.deadlineFor === this.messages) return;
    this.clearDeadline();
    const deadline = this.options.messageDeadline;
    if (deadline <= 0) return;
    this.deadlineFor = this.messages;
    this.deadlineTimer = setTimeout(() => {
      this.drop(
        new ProtocolError(
          ErrorCodes.MESSAGE_DEADLINE,
          `peer ${this.peer.id} did not finish a message within ${deadline} ms (${this.receiver.claim} bytes declared)`,
          { details: { messageDeadline: deadline } },
        ),
      );
    }, deadline);
    this.deadlineTimer.unref();
  }

  private clearDeadline(): void {
    if (this.deadlineTimer) clearTimeout(this.deadlineTimer);
    this.deadlineTimer = undefined;
  }

  private afterSend(): void {
    this.noteOutbound();
    const bound = this.options.maxOutboundBuffer;
    if (this.ws.bufferedAmount <= bound || this.holds.has('outbound')) return;
    this.hold('outbound');
    this.bounds.socket.once('drain', () => {
      if (this.drainTimer) clearTimeout(this.drainTimer);
      this.drainTimer = undefined;
      this.noteOutbound();
      this.unhold('outbound');
    });
    const wait = this.options.drainTimeout;
    if (wait <= 0) return;
    this.drainTimer = setTimeout(() => {
      this.drop(
        new TransportError(
          ErrorCodes.SLOW_READER,
          `peer ${this.peer.id} does not read its replies: ${this.ws.bufferedAmount} bytes unwritten for ${wait} ms (maxOutboundBuffer ${bound})`,
          { details: { pending: this.ws.bufferedAmount, maxOutboundBuffer: bound } },
        ),
      );
    }, wait);
    this.drainTimer.unref();
  }

  private noteOutbound(): void {
    const now = this.ending ? 0 : this.ws.bufferedAmount;
    if (now === this.outbound) return;
    this.bounds.counters.moveOutbound(this.outbound, now);
    this.outbound = now;
  }

  private hold(reason: string): void {
    this.holds.add(reason);
    if (!this.ws.isPaused) this.ws.pause();
  }

  private unhold(reason: string): void {
    if (!this.holds.delete(reason)) return;
    this.maybeResume();
  }

  /** Bad input the `ws` parser found (oversized, malformed): already reported by the server; drop at once. */
  refused(): void {
    if (this.ending) return;
    this.ending = true;
    this.order.end();
    this.release();
    this.ws.terminate();
  }

  /** Drops the connection at once (no close handshake: the peer may not be reading). */
  private drop(error: BrineError): void {
    if (this.ending) return;
    this.report(error, this.peer);
    this.ending = true;
    this.order.end();
    this.release();
    this.ws.terminate();
  }

  /** Gives back the budget claim and the outbound count, stops every timer. */
  private release(): void {
    if (this.claim > 0) this.bounds.counters.budget.move(this.claim, 0);
    this.claim = 0;
    if (this.outbound > 0) this.bounds.counters.moveOutbound(this.outbound, 0);
    this.outbound = 0;
    this.clearDeadline();
    for (const t of [this.unauthTimer, this.drainTimer]) if (t) clearTimeout(t);
    this.unauthTimer = undefined;
    this.drainTimer = undefined;
  }

  /** The connection is gone: abort running handlers, forget their replies. */
  closed(error: BrineError | undefined): void {
    this.ending = true;
    this.order.end();
    this.held.length = 0;
    this.release();
    this.controller.abort(error ?? new TransportError(ErrorCodes.CONNECTION_LOST, 'connection closed'));
  }

  /** Server shutdown: close with 1001 (going away), waiting at most `closeTimeout`. */
  shutdown(): Promise<void> {
    this.ending = true;
    this.order.end();
    return closeGracefully(this.ws, CloseCodes.GOING_AWAY, 'server closing', this.options.closeTimeout);
  }

  /** Ends the connection because of `error` (reported first). */
  fail(error: BrineError, code: number): void {
    this.report(error, this.peer);
    this.end(code, error);
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    if (this.ending) return;
    this.messages++;
    this.account();
    // ws keeps emitting the frames of a chunk it already read after pause(): hold them back.
    if (this.held.length > 0 || this.holds.size > 0 || this.order.pending >= this.inFlightLimit) {
      this.held.push([data, isBinary]);
      return;
    }
    this.handle(data, isBinary);
  }

  private handle(data: Buffer, isBinary: boolean): void {
    if (!isBinary) {
      const text = data.toString('utf8');
      if (text === CLOSE_TEXT) {
        this.order.reserve()({ kind: 'close', code: CloseCodes.NORMAL, error: undefined });
        return;
      }
      this.fail(
        new ProtocolError(
          ErrorCodes.BAD_FRAME,
          'text frame on the request channel (only binary messages and "close")',
          {
            details: { peer: this.peer.id, length: data.length },
          },
        ),
        CloseCodes.UNSUPPORTED_DATA,
      );
      return;
    }
    let message: unknown;
    try {
      message = decodeMessage(data);
    } catch (error) {
      const e = isBrineError(error) ? error : new ProtocolError(ErrorCodes.DECODE, String(error));
      this.fail(e, CloseCodes.INVALID_PAYLOAD);
      return;
    }
    const settle = this.order.reserve();
    if (this.order.pending >= this.inFlightLimit) this.holds.add('inflight');
    if (this.holds.size > 0 && !this.ws.isPaused) this.ws.pause();
    let result: unknown;
    try {
      result = this.handler(message, this.context);
    } catch (error) {
      settle(this.failure(error));
      return;
    }
    if (isThenable(result)) {
      result.then(
        (reply) => settle(this.replyOutcome(reply)),
        (error: unknown) => settle(this.failure(error)),
      );
    } else {
      settle(this.replyOutcome(result));
    }
  }

  private replyOutcome(reply: unknown): SlotOutcome<BrineError> {
    if (this.ending) return { kind: 'close', code: CloseCodes.NORMAL, error: undefined };
    let frame: Uint8Array;
    try {
      frame = encodeMessage(reply);
    } catch (error) {
      return this.failure(error);
    }
    if (frame.length > this.options.maxMessageSize) {
      const error = new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `reply of ${frame.length} bytes is over maxMessageSize (${this.options.maxMessageSize})`,
        { details: { size: frame.length, maxMessageSize: this.options.maxMessageSize } },
      );
      this.report(error, this.peer);
      return { kind: 'close', code: CloseCodes.INTERNAL_ERROR, error };
    }
    return { kind: 'reply', frame };
  }

  /**
   * A handler failed: no reply can be sent, and skipping one would shift every later reply onto the
   * wrong request, so the connection closes (1011) after the replies before it. The client's
   * requests still in flight fail with `ERR_CONNECTION_LOST` and it reconnects.
   */
  private failure(error: unknown): SlotOutcome<BrineError> {
    const e =
      isBrineError(error) && error.code === ErrorCodes.ENCODE
        ? error
        : new BrineError(ErrorCodes.HANDLER, 'request handler failed', {
            cause: error,
            details: { peer: this.peer.id },
          });
    if (!this.ending) this.report(e, this.peer);
    return { kind: 'close', code: CloseCodes.INTERNAL_ERROR, error: e };
  }

  private end(code: number, error: BrineError | undefined): void {
    if (this.ending) return;
    this.ending = true;
    this.order.end();
    void closeGracefully(this.ws, code, error ? error.code : '', this.options.closeTimeout);
  }

  private maybeResume(): void {
    if (this.order.pending < this.inFlightLimit) this.holds.delete('inflight');
    while (!this.ending && this.held.length > 0 && this.holds.size === 0) {
      const [data, isBinary] = this.held.shift()!;
      this.handle(data, isBinary);
    }
    if (this.ws.isPaused && !this.ending && this.held.length === 0 && this.holds.size === 0) {
      this.ws.resume();
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}
