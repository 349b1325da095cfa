import {
  StateError,
  BrineError,
  isBrineError,
  ClosedError,
  dumps,
  ErrorCodes,
  formatAddress,
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
    (reply) => this.socket?.send(reply.frames),
    (reply, error) => this.replyFailed(reply, error),
  );
  private readonly lifecycle = new Lifecycle();
  /** Aborts every handler's `signal` on close (libzmq does not say which peer went away). */
  private readonly stop = new AbortController();

  constructor(private readonly options: ResolvedZmqOptions) {}

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
      // Never drop a reply: what is queued per peer is bounded by the requests it has in flight.
      sendHighWaterMark: 0,
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

  /** Decodes one request and starts its handler; never waits for it (requests run concurrently). */
  private dispatch(frames: Buffer[], handler: RequestHandler): void {
    const routed = splitRouted(frames);
    if (routed instanceof ProtocolError) {
      this.report(routed, frames[0] ? routedPeer(frames[0]) : undefined);
      return;
    }
    const { envelope, body } = routed;
    const peer = routedPeer(envelope[0]!);
    let message: unknown;
    try {
      message = loads(plainBytes(body), { maxLength: this.options.maxMessageSize });
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.DECODE, 'request body is not valid msgpack'), peer);
      this.reply(envelope, BAD_LOAD_REPLY, peer);
      return;
    }
    const context: RequestContext = { peer, signal: this.stop.signal };
    let result: unknown;
    try {
      result = handler(message, context);
    } catch (error) {
      this.handlerFailed(error, peer);
      return;
    }
    if (isPromiseLike(result)) {
      result.then(
        (reply) => this.reply(envelope, reply, peer),
        (error: unknown) => this.handlerFailed(error, peer),
      );
    } else {
      this.reply(envelope, result, peer);
    }
  }

  private reply(envelope: Buffer[], value: unknown, peer: PeerInfo): void {
    if (!this.socket || this.lifecycle.isClosed) return;
    let body: Uint8Array;
    try {
      body = dumps(value);
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.ENCODE, 'cannot encode the reply'), peer);
      return;
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
      return;
    }
    this.replies.push({ frames: [...envelope, body], peer });
  }

  private replyFailed(reply: Reply, error: unknown): void {
    if (this.lifecycle.isClosed || !this.socket || this.socket.closed) return;
    if (zmqCode(error) === 'EHOSTUNREACH') {
      this.options.logger.debug(`Dropping the reply to ${reply.peer.id}: it disconnected`);
      return;
    }
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
