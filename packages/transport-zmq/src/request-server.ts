import {
  StateError,
  TransportError,
  BrineError,
  isBrineError,
  ClosedError,
  dumps,
  ErrorCodes,
  formatAddress,
  InboundBudget,
  RateLimitedLog,
  ServerCounters,
  loads,
  ProtocolError,
  throwIfAborted,
  toBrineError,
  TypedEmitter,
  type Address,
  type PeerInfo,
  type RequestContext,
  type RequestHandler,
  type RequestServer,
  type RequestServerStats,
  type ServerEvents,
  type AbortOptions,
} from '@brine/contracts';
import { Router } from 'zeromq';
import { bindSocket } from './bind.js';
import { handshakeError, isHangup, socketError, zmqCode } from './errors.js';
import { plainBytes, splitRouted } from './frames.js';
import { Lifecycle } from './lifecycle.js';
import type { ResolvedZmqOptions } from './options.js';
import { routedPeer, TRANSPORT_NAME } from './peer.js';
import { SendQueue } from './send-queue.js';
import { commonSocketOptions } from './sockets.js';
import { needsIpv6 } from './endpoint.js';

interface Reply {
  frames: Array<Buffer | Uint8Array>;
  peer: PeerInfo;
  /** Called once the reply is handed to libzmq, or given up on: the request stops counting as in flight. */
  done: () => void;
  /** When the peer's queue was first found full (performance.now()), and the next retry's delay. */
  fullSince?: number;
  backoff?: number;
}

/** What the server tracks of one routing id (a connection, for libzmq's anonymous peers). */
interface PeerState {
  key: string;
  inFlight: number;
  /** Requests received while at maxRequestsInFlight, waiting their turn (bounded by the same number). */
  backlog: Buffer[][];
  backlogBytes: number;
}

/**
 * What Salt's ZeroMQ request server answers when a body is not valid msgpack
 * (`RequestServer.handle_message`, SaltDeserializationError), so a REQ peer is not left waiting.
 */
export const BAD_LOAD_REPLY = Object.freeze({ msg: 'bad load' });

/**
 * Salt's master request socket: a ROUTER bound on `ret_port`. Each request's envelope (every
 * frame up to the empty delimiter) is echoed in front of its reply, so REQ peers (a salt-minion)
 * and Brine's DEALER clients (an extra request-id frame) are both answered. Handlers run
 * concurrently; replies go out in the order the handlers finish.
 */
export class ZmqRequestServer implements RequestServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ServerEvents>();
  private socket: Router | undefined;
  private bound: Address | undefined;
  private loop: Promise<void> | undefined;
  private readonly replies = new SendQueue<Reply>(
    (reply) => {
      this.counters.sent(frameBytes(reply.frames));
      return this.socket?.send(reply.frames).then(reply.done);
    },
    (reply, error) => this.replyFailed(reply, error),
  );
  private readonly lifecycle = new Lifecycle();
  /** Aborts every handler's `signal` on close (libzmq does not say which peer went away). */
  private readonly stop = new AbortController();
  private readonly peers = new Map<string, PeerState>();
  /** Routing ids that authenticated (most recent last), at most maxConnections of them. */
  private readonly trusted = new Set<string>();
  /** Routing ids with state (requests in flight or waiting) that have not authenticated. */
  private readonly untrusted = new Set<string>();
  private readonly counters: ServerCounters;
  private readonly refusals: RateLimitedLog;

  constructor(private readonly options: ResolvedZmqOptions) {
    this.counters = new ServerCounters(new InboundBudget(options.inboundBudget));
    this.refusals = new RateLimitedLog(options.logger);
  }

  /**
   * `connections` counts accepted minus disconnected (socket monitor); `unauthenticated` the routing
   * ids seen with requests that have not authenticated; `inboundBytes` the requests held back by
   * maxRequestsInFlight. Partially received frames live inside libzmq and are not counted.
   */
  stats(): RequestServerStats {
    this.counters.unauthenticated = this.untrusted.size;
    return this.counters.snapshot();
  }

  get address(): Address | undefined {
    return this.bound;
  }

  get closed(): Promise<void> {
    return this.lifecycle.closed;
  }

  async listen(address: Address, handler: RequestHandler, options: AbortOptions = {}): Promise<Address> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    if (this.socket) throw new StateError(ErrorCodes.INVALID_STATE, 'request server is already listening');
    throwIfAborted(options.signal);
    const socket = new Router({
      ...commonSocketOptions(this.options, { linger: -1, server: true, ipv6: needsIpv6(address) }),
      // Replies to a peer that has gone fail with EHOSTUNREACH (logged) instead of vanishing.
      mandatory: true,
      // A finite queue per peer, and no waiting on a full one: a peer that does not read its replies
      // loses them (ERR_SLOW_READER, logged rate-limited) instead of stalling every other peer's.
      sendHighWaterMark: this.options.maxRequestsInFlight,
      sendTimeout: 0,
      receiveHighWaterMark: this.options.highWaterMark,
    });
    this.socket = socket;
    this.watch(socket);
    try {
      this.bound = await bindSocket(socket, address, options.signal);
    } catch (error) {
      this.socket = undefined;
      socket.close();
      throw error;
    }
    this.options.logger.info(`ReqServer clients ${formatAddress(this.bound)}`);
    this.loop = this.receive(socket, handler);
    return this.bound;
  }

  close(): Promise<void> {
    return this.lifecycle.close(async () => {
      this.stop.abort(new ClosedError(ErrorCodes.CLOSED, 'request server closed'));
      this.replies.clear();
      this.socket?.close();
      await this.loop;
    });
  }

  private watch(socket: Router): void {
    const onHandshakeError = (event: Parameters<typeof handshakeError>[0]): void =>
      this.report(handshakeError(event), undefined);
    socket.events.on('handshake:error:protocol', onHandshakeError);
    socket.events.on('handshake:error:auth', onHandshakeError);
    socket.events.on('handshake:error:other', onHandshakeError);
    socket.events.on('accept', () => this.counters.connections++);
    socket.events.on('disconnect', () => {
      if (this.counters.connections > 0) this.counters.connections--;
    });
    socket.events.on('accept:error', (event) =>
      this.report(socketError(event.error, `accepting a connection on ${event.address}`, false), undefined),
    );
  }

  private async receive(socket: Router, handler: RequestHandler): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (!socket.closed && !this.lifecycle.isClosed) {
          this.options.logger.error('Request server stopped receiving', socketError(error, 'receive', false));
        }
        return;
      }
      this.dispatch(frames, handler);
    }
  }

  /** Admits one request within its peer's bounds, then decodes it and starts its handler. */
  private dispatch(frames: Buffer[], handler: RequestHandler): void {
    this.counters.received(frameBytes(frames));
    const routed = splitRouted(frames, this.options.maxEnvelopeSize);
    if (routed instanceof ProtocolError) {
      this.refuse(routed, frames[0] ? routedPeer(frames[0].subarray(0, 64)) : undefined);
      return;
    }
    const key = routed.envelope[0]!.toString('hex');
    let state = this.peers.get(key);
    if (!state) {
      const refusal = this.admitPeer(key);
      if (refusal) {
        this.refuse(refusal, routedPeer(routed.envelope[0]!));
        return;
      }
      state = { key, inFlight: 0, backlog: [], backlogBytes: 0 };
      this.peers.set(key, state);
      if (!this.trusted.has(key)) this.untrusted.add(key);
    }
    const limit = Math.min(this.options.highWaterMark, this.options.maxRequestsInFlight);
    const bytes = routed.body.length;
    if (state.inFlight >= limit && state.backlog.length >= limit) {
      // libzmq cannot stop reading one peer: it has a bounded backlog, beyond which it is refused.
      this.refuse(
        new TransportError(
          ErrorCodes.QUEUE_FULL,
          `${routedPeer(routed.envelope[0]!).id} has ${state.inFlight} requests in flight and ${state.backlog.length} waiting (maxRequestsInFlight ${limit}); request dropped`,
        ),
        routedPeer(routed.envelope[0]!),
      );
      return;
    }
    // Every request received and not yet answered is claimed against the inbound budget, all peers.
    if (!this.counters.budget.move(0, bytes)) {
      this.refuse(this.counters.budget.overBudgetError(bytes, routedPeer(routed.envelope[0]!).id), undefined);
      this.forget(state);
      return;
    }
    if (state.inFlight < limit) {
      this.start(state, routed.envelope, routed.body, handler);
      return;
    }
    state.backlog.push(frames);
    state.backlogBytes += bytes;
  }

  /**
   * Whether a routing id the server holds no state for may start some. libzmq cannot close one
   * peer, so the connection caps act on requests: while more connections are open than
   * maxConnections (socket monitor: accepted minus disconnected), or maxUnauthenticatedConnections
   * routing ids that never authenticated have requests in flight, a routing id that has not
   * authenticated gets no state and no reply. Authenticated routing ids are always served.
   */
  private admitPeer(key: string): BrineError | undefined {
    if (this.trusted.has(key)) return undefined;
    if (this.counters.connections > this.options.maxConnections) {
      return new TransportError(
        ErrorCodes.TOO_MANY_CONNECTIONS,
        `${this.counters.connections} connections open, over maxConnections ${this.options.maxConnections}: requests from peers that have not authenticated are dropped`,
      );
    }
    if (this.untrusted.size >= this.options.maxUnauthenticatedConnections) {
      return new TransportError(
        ErrorCodes.TOO_MANY_CONNECTIONS,
        `${this.options.maxUnauthenticatedConnections} unauthenticated peers have requests in flight (maxUnauthenticatedConnections): request dropped`,
      );
    }
    return undefined;
  }

  private start(state: PeerState, envelope: Buffer[], body: Buffer, handler: RequestHandler): void {
    const peer = routedPeer(envelope[0]!);
    const authenticated = this.options.authMaxMessageSize <= 0 || this.trusted.has(state.key);
    const limit = authenticated
      ? this.options.maxMessageSize
      : Math.min(this.options.authMaxMessageSize, this.options.maxMessageSize);
    if (body.length > limit) {
      // libzmq has the whole frame already (bounded by ZMQ_MAXMSGSIZE): refuse to decode or handle it.
      this.refuse(
        new ProtocolError(
          ErrorCodes.MESSAGE_TOO_LARGE,
          `request of ${body.length} bytes from ${peer.id}, over the ${limit}-byte limit of a peer that has not authenticated`,
          { details: { size: body.length, limit } },
        ),
        peer,
      );
      this.counters.budget.move(body.length, 0);
      this.reply(envelope, BAD_LOAD_REPLY, peer, noop);
      this.forget(state);
      return;
    }
    let message: unknown;
    try {
      message = loads(plainBytes(body), { maxLength: limit });
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.DECODE, 'request body is not valid msgpack'), peer);
      this.counters.budget.move(body.length, 0);
      this.reply(envelope, BAD_LOAD_REPLY, peer, noop);
      this.forget(state);
      return;
    }
    state.inFlight++;
    this.counters.inFlight++;
    const claim = body.length;
    let finished = false;
    // A request counts as in flight until its reply is with libzmq (or given up on).
    const done = (): void => {
      if (finished) return;
      finished = true;
      this.counters.budget.move(claim, 0);
      this.finished(state, handler);
    };
    const context: RequestContext = {
      peer,
      signal: this.stop.signal,
      authenticate: () => this.trust(state.key),
    };
    let result: unknown;
    try {
      result = handler(message, context);
    } catch (error) {
      this.handlerFailed(error, peer);
      done();
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (reply) => this.reply(envelope, reply, peer, done),
        (error: unknown) => {
          this.handlerFailed(error, peer);
          done();
        },
      );
    } else {
      this.reply(envelope, result, peer, done);
    }
  }

  /** A request of `state` finished: start the next one waiting, or forget an idle peer. */
  private finished(state: PeerState, handler: RequestHandler): void {
    state.inFlight--;
    this.counters.inFlight--;
    const next = state.backlog.shift();
    if (next) {
      const routed = splitRouted(next, this.options.maxEnvelopeSize) as { envelope: Buffer[]; body: Buffer };
      state.backlogBytes -= routed.body.length;
      this.start(state, routed.envelope, routed.body, handler);
      return;
    }
    this.forget(state);
  }

  private forget(state: PeerState): void {
    if (state.inFlight === 0 && state.backlog.length === 0) {
      this.peers.delete(state.key);
      this.untrusted.delete(state.key);
    }
  }

  private trust(key: string): void {
    this.untrusted.delete(key);
    this.trusted.delete(key);
    this.trusted.add(key);
    // libzmq does not say when a routing id goes away: keep the most recent maxConnections.
    while (this.trusted.size > this.options.maxConnections) {
      this.trusted.delete(this.trusted.values().next().value as string);
    }
  }

  /** A request refused by the bounds: counted, logged rate-limited, emitted. */
  private refuse(error: BrineError, peer: PeerInfo | undefined): void {
    this.counters.refuse(error.code);
    this.refusals.warning(error.code, `Refused a request${peer ? ` from ${peer.id}` : ''}: ${error.message}`, error);
    this.events.emit('error', error, peer);
  }

  private reply(envelope: Buffer[], value: unknown, peer: PeerInfo, done: () => void): void {
    if (!this.socket || this.lifecycle.isClosed) return done();
    let body: Uint8Array;
    try {
      body = dumps(value);
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.ENCODE, 'cannot encode the reply'), peer);
      return done();
    }
    if (body.length > this.options.maxMessageSize) {
      this.report(
        new ProtocolError(
          ErrorCodes.MESSAGE_TOO_LARGE,
          `reply of ${body.length} bytes exceeds maxMessageSize ${this.options.maxMessageSize}; not sent`,
          { details: { size: body.length, peer: peer.id } },
        ),
        peer,
      );
      return done();
    }
    this.replies.push({ frames: [...envelope, body], peer, done });
  }

  private replyFailed(reply: Reply, error: unknown): void {
    if (this.lifecycle.isClosed || !this.socket || this.socket.closed) return;
    if (zmqCode(error) === 'EHOSTUNREACH') {
      this.options.logger.debug(`Dropping the reply to ${reply.peer.id}: it disconnected`);
      reply.done();
      return;
    }
    if (zmqCode(error) === 'EAGAIN') {
      // This peer's queue (SNDHWM) is full. Retry it alone, with back-off, for up to drainTimeout;
      // the other peers' replies go on meanwhile. Its request stays in flight, so it gets no more.
      const now = performance.now();
      reply.fullSince ??= now;
      if (now - reply.fullSince >= this.options.drainTimeout) {
        this.refuse(
          new TransportError(
            ErrorCodes.SLOW_READER,
            `${reply.peer.id} does not read its replies (${this.options.maxRequestsInFlight} queued for ${this.options.drainTimeout} ms); reply dropped`,
          ),
          reply.peer,
        );
        reply.done();
        return;
      }
      const wait = (reply.backoff = Math.min((reply.backoff ?? 0.5) * 2, 50));
      setTimeout(() => {
        if (!this.lifecycle.isClosed) this.replies.push(reply);
      }, wait).unref();
      return;
    }
    reply.done();
    this.report(socketError(error, `reply to ${reply.peer.id}`, false), reply.peer);
  }

  private handlerFailed(error: unknown, peer: PeerInfo): void {
    const wrapped =
      isBrineError(error) && error.code === ErrorCodes.HANDLER
        ? error
        : new BrineError(ErrorCodes.HANDLER, 'request handler failed; no reply sent', { cause: error });
    this.report(wrapped, peer);
  }

  private report(error: BrineError, peer: PeerInfo | undefined): void {
    const from = peer ? ` from ${peer.id}` : '';
    if (error.code === ErrorCodes.IDLE_TIMEOUT) this.options.logger.info(`Dropped an idle peer${from}`, error);
    else if (isHangup(error)) this.options.logger.debug(error.message);
    else this.options.logger.error(`Bad request${from}`, error);
    this.events.emit('error', error, peer);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

function noop(): void {}

function frameBytes(frames: ReadonlyArray<Buffer | Uint8Array>): number {
  let n = 0;
  for (const frame of frames) n += frame.length;
  return n;
}
