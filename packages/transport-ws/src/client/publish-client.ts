import {
  assertSameTarget,
  BoundedQueue,
  ClosedError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  TypedEmitter,
  throwIfAborted,
  type Address,
  type BrineError,
  type ClientEvents,
  type PublishClient,
  type PublishConnectOptions,
  type Redialer,
} from '@brine/contracts';
import { CloseCodes, TRANSPORT_NAME } from '../constants.js';
import { decodePublish, encodeMessage } from '../frames.js';
import type { ResolvedWsOptions } from '../options.js';
import { wsUrl } from '../url.js';
import { wsRedialer, type WsConnection } from './redial.js';
import type { Dialer, WireSocket } from './socket.js';

/**
 * Publish client: connects to `ws(s)://host:port/ws` (Salt's path), unwraps each message's msgpack
 * bin and yields the payload bytes. The receive queue holds at most `highWaterMark` messages: in
 * Node the socket stops reading when it is full (TCP pushes back to the master, whose
 * slow-subscriber policy applies) and resumes at half; browsers cannot pause a WebSocket, so there
 * a message that finds the queue full is dropped and reported as an `error` (`ERR_QUEUE_FULL`).
 * With a `presence` builder the client sends `dumps(presence())` on every (re)connect, which a Brine
 * master uses to target publishes (a Salt master ignores it).
 */
export class WsPublishClient implements PublishClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  readonly closed: Promise<void>;

  private redialer: Redialer<WsConnection> | undefined;
  private url: string | undefined;
  private connection: WsConnection | undefined;
  private readonly queue: BoundedQueue<Uint8Array>;
  private readonly lowWaterMark: number;
  private presence: (() => Promise<unknown>) | undefined;
  private isClosed = false;
  private resolveClosed!: () => void;
  private closing: Promise<void> | undefined;
  /** Messages dropped because the queue was full and the socket could not pause (browsers). */
  dropped = 0;

  constructor(
    private readonly options: ResolvedWsOptions,
    private readonly dialer: Dialer,
  ) {
    this.queue = new BoundedQueue(options.highWaterMark);
    this.lowWaterMark = Math.floor(options.highWaterMark / 2);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  /**
   * Starts connecting to `ws(s)://host:port/ws` and reconnecting until closed. Resolves once
   * connected; on timeout/abort it rejects (the cause is the last connection error) and keeps trying.
   */
  async connect(address: Address, options: PublishConnectOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish client is closed');
    throwIfAborted(options.signal);
    const url = wsUrl(address, this.options.ssl !== undefined, this.options.publishPath);
    assertSameTarget(this.url, url);
    this.presence = options.presence;
    if (!this.redialer) {
      this.url = url;
      this.options.logger.debug(`Connecting to the master publisher: ${url}`);
      this.redialer = wsRedialer({
        url,
        dialer: this.dialer,
        options: this.options,
        events: this.events,
        onMessage: (data, binary) => this.onMessage(data, binary),
        onUp: (connection) => this.onUp(connection),
        onDown: () => {
          this.connection = undefined;
        },
      });
      this.redialer.start();
    }
    await this.redialer.waitConnected(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const value = await this.queue.shift();
        this.maybeResume();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      // Leaving a for-await loop ends that iteration only; the client stays connected.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private onUp(connection: WsConnection): void {
    this.connection = connection;
    const { socket } = connection;
    if (this.presence) void this.sendPresence(connection, this.presence);
    if (this.queue.size >= this.options.highWaterMark) this.pause(socket);
  }

  /** Awaits the presence builder and sends its message; a failure drops this connection (the redialer dials again). */
  private async sendPresence(connection: WsConnection, build: () => Promise<unknown>): Promise<void> {
    try {
      const message = await build();
      if (this.connection === connection) connection.socket.send(encodeMessage(message));
    } catch (error) {
      const e = new ProtocolError(ErrorCodes.ENCODE, 'could not build the presence message', { cause: error });
      this.options.logger.warning('presence message not sent; reconnecting', e);
      this.events.emit('error', e);
      if (this.connection === connection) connection.socket.close(CloseCodes.GOING_AWAY);
    }
  }

  private onMessage(data: Uint8Array, binary: boolean): void {
    if (!binary) {
      this.options.logger.debug('ignoring a text frame on the publish connection');
      return;
    }
    let payload: Uint8Array;
    try {
      payload = decodePublish(data);
    } catch (error) {
      const e = error as BrineError;
      this.options.logger.warning('undecodable publish message dropped', e);
      this.events.emit('error', e);
      return;
    }
    if (this.queue.isClosed) return;
    const socket = this.connection?.socket;
    if (this.queue.size >= this.options.highWaterMark && socket && !socket.canPause) {
      this.dropped++;
      this.events.emit(
        'error',
        new TransportError(ErrorCodes.QUEUE_FULL, 'publish queue full; message dropped', {
          details: { highWaterMark: this.options.highWaterMark, dropped: this.dropped },
        }),
      );
      return;
    }
    this.queue.force(payload);
    if (this.queue.size >= this.options.highWaterMark && socket) this.pause(socket);
  }

  private pause(socket: WireSocket): void {
    if (socket.canPause && !socket.paused) socket.pause();
  }

  private maybeResume(): void {
    const socket = this.connection?.socket;
    if (socket?.paused && this.queue.size <= this.lowWaterMark) socket.resume();
  }

  private async shutdown(): Promise<void> {
    this.isClosed = true;
    this.queue.drain();
    this.queue.end();
    await this.redialer?.stop();
    this.resolveClosed();
  }
}
