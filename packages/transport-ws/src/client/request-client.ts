import {
  assertSameTarget,
  ClosedError,
  deadline,
  ErrorCodes,
  ProtocolError,
  Slots,
  TimeoutError,
  TransportError,
  TypedEmitter,
  throwIfAborted,
  type AbortOptions,
  type Address,
  type BrineError,
  type ClientEvents,
  type Redialer,
  type RequestClient,
} from '@brine/contracts';
import { TRANSPORT_NAME } from '../constants.js';
import { decodeMessage, encodeMessage } from '../frames.js';
import type { ResolvedWsOptions } from '../options.js';
import { wsUrl } from '../url.js';
import { wsRedialer, type WsConnection } from './redial.js';
import type { Dialer } from './socket.js';

/** One request: queued until a connection is up, then in flight until its reply. */
interface Pending {
  frame: Uint8Array | undefined;
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The caller gave up (timeout/abort) after it was sent: its reply is read and discarded. */
  abandoned: boolean;
  settled: boolean;
}

/**
 * Request client over one persistent WebSocket connection. WebSocket messages carry no id, and a
 * Salt (or Brine) ws request server answers the messages of one connection in order, so replies
 * are matched to requests first-in first-out and many requests can be in flight at once. (Salt
 * 3007.1's client opens one connection per request; a Salt master serves both the same way.)
 */
export class WsRequestClient implements RequestClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  readonly closed: Promise<void>;

  private redialer: Redialer<WsConnection> | undefined;
  private url: string | undefined;
  private connection: WsConnection | undefined;
  private readonly slots: Slots;
  private readonly queued: Pending[] = [];
  private inflight: Pending[] = [];
  private abandonedInFlight = 0;
  private isClosed = false;
  private resolveClosed!: () => void;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedWsOptions,
    private readonly dialer: Dialer,
  ) {
    this.slots = new Slots(options.highWaterMark);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Starts connecting to `ws(s)://host:port/` and reconnecting until closed. Resolves once connected;
   * on timeout/abort it rejects (the cause is the last connection error) and keeps trying.
   */
  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    throwIfAborted(options.signal);
    const url = wsUrl(address, this.options.ssl !== undefined, this.options.requestPath);
    assertSameTarget(this.url, url);
    if (!this.redialer) {
      this.url = url;
      this.options.logger.debug(`Connecting the Minion to the Master URI (for the return server): ${url}`);
      this.redialer = wsRedialer({
        url,
        dialer: this.dialer,
        options: this.options,
        events: this.events,
        onMessage: (data, binary) => this.onMessage(data, binary),
        onUp: (connection) => {
          this.connection = connection;
          this.flush();
        },
        onDown: (_connection, error) => this.onDown(error),
      });
      this.redialer.start();
    }
    await this.redialer.waitConnected(options);
  }

  async request(message: unknown, options: AbortOptions = {}): Promise<unknown> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    throwIfAborted(options.signal);
    const frame = encodeMessage(message);
    if (frame.length > this.options.maxMessageSize) {
      throw new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `request of ${frame.length} bytes is over maxMessageSize (${this.options.maxMessageSize})`,
        { details: { size: frame.length, maxMessageSize: this.options.maxMessageSize } },
      );
    }
    const timeout = this.options.requestTimeout || undefined;
    const dl = deadline(options, timeout, 'request');
    try {
      await this.slots.acquire(dl.signal);
      if (dl.signal.aborted) {
        this.slots.release();
        throw dl.signal.reason;
      }
      return await this.enqueue(frame, dl.signal);
    } finally {
      dl.dispose();
    }
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private enqueue(frame: Uint8Array, signal: AbortSignal): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const pending: Pending = {
        frame,
        abandoned: false,
        settled: false,
        resolve: (value) => settle(() => resolve(value)),
        reject: (error) => settle(() => reject(error)),
      };
      const onAbort = (): void => {
        if (pending.settled) return;
        const i = this.queued.indexOf(pending);
        if (i >= 0) this.queued.splice(i, 1);
        else this.abandon(pending);
        pending.reject(signal.reason);
      };
      const settle = (fn: () => void): void => {
        if (pending.settled) return;
        pending.settled = true;
        signal.removeEventListener('abort', onAbort);
        this.slots.release();
        fn();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.queued.push(pending);
      this.flush();
    });
  }

  /** The caller gave up on a request already sent: its reply will be discarded. */
  private abandon(pending: Pending): void {
    pending.abandoned = true;
    this.abandonedInFlight++;
    // Replies that never come would pin abandoned entries forever: recycle the connection instead.
    if (this.abandonedInFlight >= this.options.highWaterMark) {
      this.connection?.socket.terminate(
        new TimeoutError(ErrorCodes.TIMEOUT, `${this.abandonedInFlight} requests went unanswered; reconnecting`),
      );
    }
  }

  private flush(): void {
    const socket = this.connection?.socket;
    if (!socket) return;
    while (this.queued.length > 0) {
      const pending = this.queued.shift()!;
      socket.send(pending.frame!);
      pending.frame = undefined;
      this.inflight.push(pending);
    }
  }

  private onMessage(data: Uint8Array, binary: boolean): void {
    if (!binary) {
      this.protocolError(
        new ProtocolError(ErrorCodes.BAD_FRAME, 'the server sent a text frame on the request channel'),
      );
      return;
    }
    const pending = this.inflight.shift();
    if (!pending) {
      this.protocolError(new ProtocolError(ErrorCodes.BAD_FRAME, 'the server sent a reply nobody asked for'));
      return;
    }
    if (pending.abandoned) {
      this.abandonedInFlight--;
      return;
    }
    let value: unknown;
    try {
      value = decodeMessage(data);
    } catch (error) {
      const e = error as BrineError;
      this.options.logger.warning('undecodable reply from the master', e);
      this.events.emit('error', e);
      pending.reject(e);
      return;
    }
    pending.resolve(value);
  }

  private protocolError(error: ProtocolError): void {
    this.options.logger.warning('bad frame on the request connection; reconnecting', error);
    this.events.emit('error', error);
    this.connection?.socket.terminate(error);
  }

  private onDown(error: BrineError | undefined): void {
    this.connection = undefined;
    const lost = this.inflight;
    this.inflight = [];
    this.abandonedInFlight = 0;
    for (const pending of lost) {
      if (pending.abandoned) continue;
      pending.reject(
        new TransportError(ErrorCodes.CONNECTION_LOST, 'the connection dropped before the reply came', {
          cause: error,
        }),
      );
    }
  }

  private async shutdown(): Promise<void> {
    this.isClosed = true;
    const error = new ClosedError(ErrorCodes.CLOSED, 'request client closed');
    this.slots.close(error);
    for (const pending of [...this.queued.splice(0), ...this.inflight.splice(0)]) pending.reject(error);
    this.abandonedInFlight = 0;
    await this.redialer?.stop();
    this.resolveClosed();
  }
}
