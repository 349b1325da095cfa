import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import {
  StateError,
  ClosedError,
  ErrorCodes,
  InboundBudget,
  ProtocolError,
  RateLimitedLog,
  isBoundRefusal,
  ServerCounters,
  formatAddress,
  TypedEmitter,
  throwIfAborted,
  type AbortOptions,
  type Address,
  type BrineError,
  type PeerInfo,
  type RequestHandler,
  type RequestServer,
  type RequestServerStats,
  type ServerEvents,
  type WireCounts,
} from '@brine/contracts';
import { TRANSPORT_NAME } from '../constants.js';
import type { ResolvedWsOptions } from '../options.js';
import { fromNodeError } from './errors.js';
import { UpgradeListener } from './listener.js';
import { Liveness } from './liveness.js';
import { PeerIds } from './peer.js';
import { RequestConnection } from './request-connection.js';

/**
 * Request server (Salt's ws `RequestServer`, `salt/transport/ws.py`): an HTTP(S) server on the
 * request port where any path upgrades to WebSocket; see `RequestConnection` (src/node/request-connection.ts) for the
 * per-connection protocol and `UpgradeListener` (src/node/listener.ts) for handshake limits.
 */
export class WsRequestServer implements RequestServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ServerEvents>();
  readonly closed: Promise<void>;
  address: Address | undefined;

  private listener: UpgradeListener | undefined;
  private readonly liveness: Liveness;
  private readonly connections = new Set<RequestConnection>();
  private readonly peers = new PeerIds();
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;
  private readonly counters: ServerCounters;
  private readonly refusals: RateLimitedLog;

  constructor(private readonly options: ResolvedWsOptions) {
    this.liveness = new Liveness(options.heartbeatInterval, options.heartbeatTimeout);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
    this.counters = new ServerCounters(new InboundBudget(options.inboundBudget));
    this.refusals = new RateLimitedLog(options.logger);
  }

  stats(): RequestServerStats {
    const counts = this.listener?.counts ?? { connections: 0, unauthenticated: 0 };
    this.counters.connections = counts.connections;
    this.counters.unauthenticated = counts.unauthenticated;
    this.counters.inFlight = [...this.connections].reduce((n, c) => n + c.inFlight, 0);
    return this.counters.snapshot();
  }

  async listen(address: Address, handler: RequestHandler, options: AbortOptions = {}): Promise<Address> {
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    if (this.listener) throw new StateError(ErrorCodes.INVALID_STATE, 'request server is already listening');
    throwIfAborted(options.signal);
    const listener = new UpgradeListener(
      this.options,
      {
        connection: (ws, req, socket) => this.accept(ws, req, socket, handler),
        peerError: (error) => this.report(error, undefined),
        refused: (error) => this.report(error, undefined),
      },
      { maxPayload: this.options.maxMessageSize, countUnauthenticated: true },
    );
    this.listener = listener;
    try {
      this.address = await listener.listen(address);
    } catch (error) {
      this.listener = undefined;
      throw error;
    }
    this.options.logger.debug(`ws request server listening on ${formatAddress(this.address, 'ws')}`);
    return this.address;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const listener = this.listener;
      if (listener) {
        await listener.shutdown(() => Promise.all([...this.connections].map((c) => c.shutdown())).then(() => {}));
      }
      this.liveness.stop();
      this.resolveClosed();
    })();
    return this.closing;
  }

  private accept(ws: WebSocket, req: IncomingMessage, socket: Duplex, handler: RequestHandler): void {
    const peer = this.peers.peerOf(req);
    let error: BrineError | undefined;
    const untrackWire = this.counters.trackWire(socket as WireCounts);
    const connection = new RequestConnection(
      ws,
      peer,
      handler,
      this.options,
      (e, p) => {
        error ??= e;
        this.report(e, p);
      },
      { socket, counters: this.counters, onAuthenticated: () => this.listener?.authenticated(socket) },
    );
    ws.on('error', (e) => {
      error ??= withBytesRead(fromNodeError(e, ErrorCodes.CONNECTION_LOST, `request connection ${peer.id}`), socket);
      if (error.code !== ErrorCodes.CONNECTION_LOST) {
        this.report(error, peer);
        // Bad input (oversized, malformed): dropped at once, not after a close handshake.
        connection.refused();
      }
    });
    ws.once('close', () => {
      untrackWire();
      this.connections.delete(connection);
      connection.closed(error);
      this.events.emit('disconnect', peer, error);
    });
    this.liveness.watch(ws, (e) => {
      error ??= e;
      this.report(e, peer);
      ws.terminate();
    });
    this.connections.add(connection);
    this.events.emit('connection', peer);
    if (this.closing) void connection.shutdown();
  }

  private report(error: BrineError, peer: PeerInfo | undefined): void {
    const line = `ws request server: ${error.message}${peer ? ` (peer ${peer.id})` : ''}`;
    if (isBoundRefusal(error.code)) {
      this.counters.refuse(error.code);
      this.refusals.warning(error.code, line, error);
    } else {
      this.options.logger.warning(line, error);
    }
    this.events.emit('error', error, peer);
  }
}

/** An oversized message is refused at its frame header: its error says how little was read, and the limit. */
function withBytesRead(error: BrineError, socket: Duplex): BrineError {
  if (error.code !== ErrorCodes.MESSAGE_TOO_LARGE) return error;
  const bytesRead = (socket as { bytesRead?: number }).bytesRead;
  return new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, error.message, {
    cause: error,
    details: { ...error.details, bytesRead },
  });
}
