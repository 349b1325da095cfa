import {
  assertSameTarget,
  asAbortError,
  ClosedError,
  dumps,
  ErrorCodes,
  loads,
  ProtocolError,
  TimeoutError,
  toBrineError,
  TransportError,
  TypedEmitter,
  type AbortOptions,
  type Address,
  type BrineError,
  type ClientEvents,
  type RequestClient,
} from '@brine/contracts';
import { Dealer } from 'zeromq';
import { ConnectionWatch } from './connection-watch.js';
import { needsIpv6, toEndpoint } from './endpoint.js';
import { socketError } from './errors.js';
import { encodeRequestId, plainBytes, splitPlainReply, splitReply } from './frames.js';
import { Lifecycle } from './lifecycle.js';
import type { ResolvedZmqOptions } from './options.js';
import { TRANSPORT_NAME } from './peer.js';
import { SendQueue } from './send-queue.js';
import { commonSocketOptions } from './sockets.js';
import { InflightWindow } from './window.js';

const DELIMITER = Buffer.alloc(0);

interface Pending {
  id: number;
  readonly body: Uint8Array;
  /**
   * waiting: for room under the high-water mark; queued: not yet handed to libzmq; sent: in
   * libzmq's queue for the connection or on the wire; settled: answered, failed or abandoned.
   */
  state: 'waiting' | 'queued' | 'sent' | 'settled';
  resolve(reply: unknown): void;
  reject(error: unknown): void;
}

/**
 * Salt's minion request socket: a DEALER. By default it frames and paces requests as Salt's REQ
 * does, `[b"", body]`, one on the wire at a time (the others wait their turn in FIFO order): that
 * is the only framing Salt 3008's pooled routing device accepts. A request abandoned on the wire
 * (timeout, abort) could still be answered, and that reply would be taken for the next request's,
 * so the socket is replaced by a fresh one first, as Salt's RequestClient reconnects after a
 * timeout. With `requestPipelining` it sends `[request id, b"", body]` instead: the id frame is
 * part of the routing envelope, which a ROUTER (and the REP workers behind Salt's plain queue
 * device) echo in front of the reply, so up to `highWaterMark` requests can be in flight and each
 * reply finds its request. Salt's REQ options apply: `ZMQ_RECONNECT_IVL_MAX` 5000 ms, TCP
 * keepalive, `ZMQ_LINGER` 0.
 *
 * `ZMQ_IMMEDIATE` is on: messages are only queued to a connection whose handshake is done, so on
 * a disconnect libzmq discards what the dead connection held (those requests reject with
 * `ERR_CONNECTION_LOST`) and sends wait for the next connection (those requests go out after
 * the reconnect).
 */
export class ZmqRequestClient implements RequestClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  private socket: Dealer | undefined;
  private watch: ConnectionWatch | undefined;
  private endpoint: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly window: InflightWindow;
  /** Requests with an id (queued, sent), by id. */
  private readonly byId = new Map<number, Pending>();
  /** Every unsettled request, including those waiting for room. */
  private readonly outstanding = new Set<Pending>();
  private readonly sends: SendQueue<Pending>;
  private readonly lifecycle = new Lifecycle();
  private lastId = 0;
  private socketReady: (() => void) | undefined;
  private ipv6 = false;
  /** Set as close() starts (before it rejects what is outstanding). */
  private closing = false;
  /** Without pipelining: the one request handed to the socket and not answered yet. */
  private onWire: Pending | undefined;

  constructor(private readonly options: ResolvedZmqOptions) {
    // Never more in flight than a server handles per peer (maxRequestsInFlight): the rest wait here.
    this.window = new InflightWindow(
      options.requestPipelining ? Math.min(options.highWaterMark, options.maxRequestsInFlight) : 1,
    );
    this.sends = new SendQueue<Pending>(
      (pending) => this.sendOne(pending),
      (pending, error) => pending.reject(socketError(error, 'request', this.lifecycle.isClosed)),
    );
  }

  get connected(): boolean {
    return this.watch?.up ?? false;
  }

  get closed(): Promise<void> {
    return this.lifecycle.closed;
  }

  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    const endpoint = toEndpoint(address);
    assertSameTarget(this.endpoint, endpoint);
    if (!this.socket) this.open(endpoint, needsIpv6(address));
    await this.watch!.waitConnected(options, `connecting to ${endpoint}`);
  }

  async request(message: unknown, options: AbortOptions = {}): Promise<unknown> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    const { signal } = options;
    if (signal?.aborted) throw asAbortError(signal.reason);
    let body: Uint8Array;
    try {
      body = dumps(message);
    } catch (error) {
      throw toBrineError(error, ErrorCodes.ENCODE, 'cannot encode the request');
    }
    if (body.length > this.options.maxMessageSize) {
      throw new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `request of ${body.length} bytes exceeds maxMessageSize ${this.options.maxMessageSize}`,
        { details: { size: body.length, maxMessageSize: this.options.maxMessageSize } },
      );
    }
    const timeout = options.timeout ?? (this.options.requestTimeout || undefined);
    return new Promise<unknown>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const slot = { withdraw: (): void => undefined };
      const onAbort = (): void => pending.reject(asAbortError(signal?.reason));
      const settle = (): boolean => {
        const was = pending.state;
        if (was === 'settled') return false;
        pending.state = 'settled';
        this.outstanding.delete(pending);
        if (pending.id !== 0) this.byId.delete(pending.id);
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // Abandoned on the wire (a reply or a lost connection clears onWire first): replace the
        // socket before the next request can go out on it.
        if (this.onWire === pending) {
          this.onWire = undefined;
          if (!this.closing) this.replaceSocket();
        }
        if (was === 'waiting') slot.withdraw();
        else this.window.release();
        return true;
      };
      const pending: Pending = {
        id: 0,
        body,
        state: 'waiting',
        resolve: (reply) => settle() && resolve(reply),
        reject: (error) => settle() && reject(error),
      };
      this.outstanding.add(pending);
      // Plain timers rather than an AbortSignal per request: this is the hot path.
      if (timeout !== undefined && Number.isFinite(timeout)) {
        timer = setTimeout(
          () =>
            pending.reject(
              new TimeoutError(ErrorCodes.TIMEOUT, `request timed out after ${timeout} ms`, { details: { timeout } }),
            ),
          Math.max(0, timeout),
        );
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      slot.withdraw = this.window.acquire(() => this.enqueue(pending));
    });
  }

  close(): Promise<void> {
    this.closing = true;
    return this.lifecycle.close(async () => {
      const error = new ClosedError(ErrorCodes.CLOSED, 'request client closed');
      this.watch?.fail(error);
      for (const p of [...this.outstanding]) p.reject(error);
      this.sends.clear();
      this.socketReady?.();
      this.socket?.close();
      await this.loop;
    });
  }

  private open(endpoint: string, ipv6: boolean): void {
    this.ipv6 = ipv6;
    const socket = new Dealer({
      ...commonSocketOptions(this.options, { linger: 0, server: false, ipv6 }),
      reconnectMaxInterval: this.options.requestReconnectMax,
      immediate: true,
      sendHighWaterMark: this.options.highWaterMark,
      receiveHighWaterMark: this.options.highWaterMark,
    });
    const previous = this.watch;
    try {
      this.watch = new ConnectionWatch(socket, endpoint, this.events, this.options.logger, {
        onDisconnect: (error) => this.lost(error),
      });
    } catch (error) {
      // libzmq out of sockets (EMFILE) for the monitor: do not leak the one just made.
      socket.close();
      throw new TransportError(ErrorCodes.UNREACHABLE, `cannot open a socket for ${endpoint}`, { cause: error });
    }
    previous?.detach(this.watch);
    this.options.logger.debug(`Connecting the Minion to the Master URI (for the return server): ${endpoint}`);
    try {
      socket.connect(endpoint);
    } catch (error) {
      socket.close();
      throw new TransportError(ErrorCodes.UNREACHABLE, `cannot connect to ${endpoint}`, { cause: error });
    }
    this.socket = socket;
    this.endpoint = endpoint;
    this.loop = this.receive(socket);
    // Requests made before connect() waited in the send queue's pump for the socket.
    this.socketReady?.();
  }

  /**
   * A request was abandoned on the wire of a REQ-style socket: its reply may still come, with
   * nothing to tell it from the next request's. Close the socket (libzmq drops that reply with the
   * connection) and connect a fresh one.
   */
  private replaceSocket(): void {
    const old = this.socket;
    const endpoint = this.endpoint;
    if (!old || endpoint === undefined) return;
    this.options.logger.debug(`A request to ${endpoint} was abandoned in flight; reconnecting on a fresh socket`);
    old.close(); // its receive loop ends on its own
    this.socket = undefined;
    this.reopen(endpoint);
  }

  /**
   * Opens the replacement socket. This runs from timers and settle callbacks, so a failure (libzmq
   * or the process out of sockets: EMFILE) must not throw: it is logged and retried while
   * requests wait in the send queue under their own timeouts.
   */
  private reopen(endpoint: string): void {
    if (this.closing || this.lifecycle.isClosed) return;
    try {
      this.open(endpoint, this.ipv6);
    } catch (error) {
      const failure = toBrineError(error, ErrorCodes.UNREACHABLE, `cannot reopen the request socket for ${endpoint}`);
      this.options.logger.warning(`Cannot open a new request socket for ${endpoint}; retrying`, failure);
      this.events.emit('error', failure);
      const retry = setTimeout(() => this.reopen(endpoint), Math.max(100, this.options.requestReconnectMax || 1000));
      retry.unref();
    }
  }

  /** A slot under the high-water mark was granted: give the request an id and queue it for sending. */
  private enqueue(pending: Pending): void {
    if (pending.state !== 'waiting') return;
    pending.state = 'queued';
    pending.id = this.nextId();
    this.byId.set(pending.id, pending);
    this.sends.push(pending);
  }

  private async sendOne(pending: Pending): Promise<void> {
    if (pending.state !== 'queued') return;
    if (!this.socket) await new Promise<void>((resolve) => (this.socketReady = resolve));
    if (pending.state !== 'queued' || !this.socket) return;
    if (this.options.requestPipelining) {
      await this.socket.send([encodeRequestId(pending.id), DELIMITER, pending.body]);
    } else {
      this.onWire = pending;
      await this.socket.send([DELIMITER, pending.body]);
    }
    if (pending.state === 'queued') pending.state = 'sent';
  }

  private nextId(): number {
    do {
      this.lastId = this.lastId >= 0xffffffff ? 1 : this.lastId + 1;
    } while (this.byId.has(this.lastId));
    return this.lastId;
  }

  /** The connection dropped: what libzmq held for it is gone, so every sent request is lost. */
  private lost(cause: BrineError): void {
    for (const p of [...this.byId.values()]) {
      if (p.state !== 'sent') continue;
      if (this.onWire === p) this.onWire = undefined; // gone with the connection: nothing to replace
      p.reject(
        new TransportError(
          ErrorCodes.CONNECTION_LOST,
          `connection to ${this.endpoint} lost with the request in flight`,
          {
            cause,
          },
        ),
      );
    }
  }

  private async receive(socket: Dealer): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (!socket.closed && !this.lifecycle.isClosed) {
          this.options.logger.error('Request client stopped receiving', socketError(error, 'receive', false));
        }
        return;
      }
      this.onReply(frames);
    }
  }

  private onReply(frames: Buffer[]): void {
    const reply: { id?: number; body: Buffer } | ProtocolError = this.options.requestPipelining
      ? splitReply(frames)
      : splitPlainReply(frames);
    if (reply instanceof ProtocolError) {
      this.report(reply);
      return;
    }
    let pending: Pending | undefined;
    if (reply.id !== undefined) {
      pending = this.byId.get(reply.id);
      if (!pending) {
        this.options.logger.debug(`Dropping a reply to request ${reply.id}: it is no longer pending`);
        return;
      }
    } else {
      pending = this.onWire;
      this.onWire = undefined; // answered: the socket is free for the next request
      if (!pending) {
        this.options.logger.debug('Dropping a reply: no request is in flight');
        return;
      }
    }
    let value: unknown;
    try {
      value = loads(plainBytes(reply.body), { maxLength: this.options.maxMessageSize });
    } catch (error) {
      const wrapped = toBrineError(error, ErrorCodes.DECODE, 'reply body is not valid msgpack');
      this.report(wrapped);
      pending.reject(wrapped);
      return;
    }
    pending.resolve(value);
  }

  private report(error: BrineError): void {
    this.options.logger.error(`Bad reply from ${this.endpoint}`, error);
    this.events.emit('error', error);
  }
}
