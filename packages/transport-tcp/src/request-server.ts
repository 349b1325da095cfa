import type net from 'node:net';
import type { BrineError } from '@brine/contracts';
import {
  StateError,
  TransportError,
  ClosedError,
  ErrorCodes,
  InboundBudget,
  RateLimitedLog,
  isBoundRefusal,
  ServerCounters,
  formatAddress,
  packb,
  ProtocolError,
  throwIfAborted,
  toBrineError,
  TypedEmitter,
  type AbortOptions,
  type Address,
  type PeerInfo,
  type RequestContext,
  type RequestHandler,
  type RequestServer,
  type RequestServerStats,
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
  private readonly counters: ServerCounters;
  private readonly refusals: RateLimitedLog;

  constructor(private readonly options: ResolvedTcpOptions) {
    let resolve!: () => void;
    this.closedDeferred = { promise: new Promise<void>((r) => (resolve = r)), resolve };
    this.counters = new ServerCounters(new InboundBudget(options.inboundBudget));
    this.refusals = new RateLimitedLog(options.logger);
  }

  stats(): RequestServerStats {
    return this.counters.snapshot();
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
    const { options, counters } = this;
    const peer = peerOf(socket, 'req');
    const label = peerLabel(peer);
    const unauthenticated = options.authMaxMessageSize > 0;
    const cap =
      counters.connections >= options.maxConnections
        ? `maxConnections (${options.maxConnections})`
        : unauthenticated && counters.unauthenticated >= options.maxUnauthenticatedConnections
          ? `maxUnauthenticatedConnections (${options.maxUnauthenticatedConnections})`
          : undefined;
    if (cap !== undefined) {
      socket.destroy();
      const error = new TransportError(ErrorCodes.TOO_MANY_CONNECTIONS, `${label} refused: at ${cap}`, {
        details: { connections: counters.connections, unauthenticated: counters.unauthenticated },
      });
      counters.refuse(error.code);
      this.refusals.warning(error.code, `Refused a connection: ${error.message}`, error);
      this.events.emit('error', error, peer);
      return;
    }
    counters.connections++;
    const untrackWire = counters.trackWire(socket);
    let countedUnauthenticated = unauthenticated;
    if (unauthenticated) counters.unauthenticated++;
    const controller = new AbortController();
    const inFlightLimit = Math.min(options.highWaterMark, options.maxRequestsInFlight);
    let active = 0;
    let dropped: BrineError | undefined;
    const connection: FramedConnection = new FramedConnection(socket, {
      maxMessageSize: options.maxMessageSize,
      idleTimeout: options.idleTimeout,
      bounds: {
        authMaxMessageSize: options.authMaxMessageSize,
        messageDeadline: options.messageDeadline,
        unauthenticatedTimeout: options.unauthenticatedTimeout,
        budget: counters.budget,
        maxOutboundBuffer: options.maxOutboundBuffer,
        drainTimeout: options.drainTimeout,
        onOutbound: (from, to) => counters.moveOutbound(from, to),
        onAuthenticated: () => {
          if (countedUnauthenticated) counters.unauthenticated--;
          countedUnauthenticated = false;
        },
      },
      logger: options.logger,
      label,
      onError: (error) => {
        if (this.closing) return;
        if (isBoundRefusal(error.code)) counters.refuse(error.code);
        this.report(error, peer);
      },
      onFrame: (frame) => {
        active++;
        counters.inFlight++;
        if (active >= inFlightLimit) connection.hold('inflight');
        this.dispatch(connection, frame, handler, context).finally(() => {
          active--;
          counters.inFlight--;
          if (dropped && connection.open) connection.finish(dropped);
          else if (active < inFlightLimit) connection.unhold('inflight');
        });
      },
    });
    const context: RequestContext = {
      peer,
      signal: controller.signal,
      authenticate: () => connection.authenticate(),
      drop: (error) => {
        // Nothing more is read or handled; the connection closes once this reply is written.
        dropped ??= error;
        connection.hold('dropped');
      },
    };
    this.connections.add(connection);
    this.events.emit('connection', peer);
    void connection.closed.then((reason) => {
      this.connections.delete(connection);
      counters.connections--;
      untrackWire();
      if (countedUnauthenticated) counters.unauthenticated--;
      countedUnauthenticated = false;
      controller.abort(new ClosedError(ErrorCodes.CLOSED, 'peer disconnected'));
      this.events.emit('disconnect', peer, reason);
    });
  }

  private async dispatch(
    connection: FramedConnection,
    frame: Frame,
    handler: RequestHandler,
    context: RequestContext,
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
    // Refusals by the bounds are logged rate-limited (a flood must not become a flood of log lines).
    if (isBoundRefusal(error.code)) this.refusals.warning(error.code, `${peerLabel(peer)}: ${error.message}`, error);
    else this.options.logger.warning(`${peerLabel(peer)}: ${error.message}`, error);
    this.events.emit('error', error, peer);
  }
}
