import type net from 'node:net';
import type { BrineError } from '@brine/contracts';
import {
  StateError,
  ClosedError,
  ErrorCodes,
  formatAddress,
  packb,
  ProtocolError,
  throwIfAborted,
  toBrineError,
  TypedEmitter,
  type AbortOptions,
  type Address,
  type PeerInfo,
  type RequestHandler,
  type RequestServer,
  type ServerEvents,
} from '@brine/contracts';
import { FramedConnection } from './connection.js';
import { joinFrame, type Frame } from './framing.js';
import type { ResolvedTcpOptions } from './options.js';
import { peerLabel, peerOf } from './peer.js';
import { closeServer, listen, type Socket } from './socket.js';

/**
 * Salt's TCP request server: accepts minion connections on `ret_port`, hands each `{head, body}`
 * frame's body to the handler (many at once, per connection up to the high-water mark; beyond it
 * the connection is paused), and answers with the head echoed.
 */
export class TcpRequestServer implements RequestServer {
  readonly transport = 'tcp';
  readonly events = new TypedEmitter<ServerEvents>();
  private server: net.Server | undefined;
  private bound: Address | undefined;
  private readonly connections = new Set<FramedConnection>();
  private closing: Promise<void> | undefined;
  private readonly closedDeferred: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: ResolvedTcpOptions) {
    let resolve!: () => void;
    this.closedDeferred = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  get address(): Address | undefined {
    return this.bound;
  }

  get closed(): Promise<void> {
    return this.closedDeferred.promise;
  }

  async listen(address: Address, handler: RequestHandler, options: AbortOptions = {}): Promise<Address> {
    throwIfAborted(options.signal);
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    if (this.server) throw new StateError(ErrorCodes.INVALID_STATE, 'request server is already listening');
    const { server, bound } = await listen(
      address,
      { ssl: this.options.ssl, backlog: this.options.backlog, ipv6: this.options.ipv6 },
      (socket) => this.accept(socket, handler),
    );
    this.server = server;
    this.bound = bound;
    this.options.logger.info(`Setting up the master communication server on ${formatAddress(bound)}`);
    return bound;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      const server = this.server;
      for (const c of this.connections) c.end();
      if (server) await closeServer(server);
      this.closedDeferred.resolve();
      this.events.removeAllListeners();
    })();
    await this.closing;
  }

  private accept(socket: Socket, handler: RequestHandler): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const { options } = this;
    const peer = peerOf(socket, 'req');
    const label = peerLabel(peer);
    const controller = new AbortController();
    const context = { peer, signal: controller.signal };
    let active = 0;
    let paused = false;
    const connection: FramedConnection = new FramedConnection(socket, {
      maxMessageSize: options.maxMessageSize,
      idleTimeout: options.idleTimeout,
      logger: options.logger,
      label,
      onError: (error) => {
        if (!this.closing) this.report(error, peer);
      },
      onFrame: (frame) => {
        active++;
        if (active >= options.highWaterMark && !paused) {
          paused = true;
          connection.pause();
        }
        this.dispatch(connection, frame, handler, context).finally(() => {
          active--;
          if (paused && active < options.highWaterMark) {
            paused = false;
            connection.resume();
          }
        });
      },
    });
    this.connections.add(connection);
    this.events.emit('connection', peer);
    void connection.closed.then((reason) => {
      this.connections.delete(connection);
      controller.abort(new ClosedError(ErrorCodes.CLOSED, 'peer disconnected'));
      this.events.emit('disconnect', peer, reason);
    });
  }

  private async dispatch(
    connection: FramedConnection,
    frame: Frame,
    handler: RequestHandler,
    context: { peer: PeerInfo; signal: AbortSignal },
  ): Promise<void> {
    let reply: unknown;
    try {
      reply = await handler(frame.body, context);
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.HANDLER, 'request handler failed'), context.peer);
      return;
    }
    if (!connection.open) return;
    let bytes: Uint8Array;
    try {
      bytes = joinFrame(packb(frame.head), packb(reply));
    } catch (error) {
      this.report(toBrineError(error, ErrorCodes.ENCODE, 'cannot encode reply'), context.peer);
      return;
    }
    if (bytes.length > this.options.maxMessageSize) {
      this.report(
        new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `reply of ${bytes.length} bytes exceeds maxMessageSize`),
        context.peer,
      );
      return;
    }
    connection.corkThisTick();
    connection.write(bytes);
  }

  private report(error: BrineError, peer: PeerInfo): void {
    this.options.logger.warning(`${peerLabel(peer)}: ${error.message}`, error);
    this.events.emit('error', error, peer);
  }
}
