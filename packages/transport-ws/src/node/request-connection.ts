import type WebSocket from 'ws';
import {
  BrineError,
  isBrineError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  type PeerInfo,
  type RequestContext,
  type RequestHandler,
} from '@brine/contracts';
import { CLOSE_TEXT, CloseCodes } from '../constants.js';
import { decodeMessage, encodeMessage } from '../frames.js';
import type { ResolvedWsOptions } from '../options.js';
import { ReplyOrder, type SlotOutcome } from '../server/reply-order.js';
import { closeGracefully } from './close.js';

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
  /** Messages read while at the high-water mark (at most one socket read's worth). */
  private readonly held: Array<[Buffer, boolean]> = [];

  constructor(
    private readonly ws: WebSocket,
    readonly peer: PeerInfo,
    private readonly handler: RequestHandler,
    private readonly options: ResolvedWsOptions,
    private readonly report: (error: BrineError, peer: PeerInfo) => void,
  ) {
    this.context = { peer, signal: this.controller.signal };
    this.order = new ReplyOrder<BrineError>({
      send: (frame) => {
        this.ws.send(frame, { binary: true, compress: false });
        this.maybeResume();
      },
      close: (code, error) => this.end(code, error),
    });
    ws.on('message', (data, isBinary) => this.onMessage(data as Buffer, isBinary));
  }

  /** The connection is gone: abort running handlers, forget their replies. */
  closed(error: BrineError | undefined): void {
    this.ending = true;
    this.order.end();
    this.held.length = 0;
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
    // ws keeps emitting the frames of a chunk it already read after pause(): hold them back.
    if (this.held.length > 0 || this.order.pending >= this.options.highWaterMark) {
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
    if (this.order.pending >= this.options.highWaterMark && !this.ws.isPaused) this.ws.pause();
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
    while (!this.ending && this.held.length > 0 && this.order.pending < this.options.highWaterMark) {
      const [data, isBinary] = this.held.shift()!;
      this.handle(data, isBinary);
    }
    if (this.ws.isPaused && this.held.length === 0 && this.order.pending < this.options.highWaterMark) {
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
