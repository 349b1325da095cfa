import type { IncomingMessage } from 'node:http';
import type WebSocket from 'ws';
import {
  StateError,
  ClosedError,
  ErrorCodes,
  formatAddress,
  TypedEmitter,
  throwIfAborted,
  type AbortOptions,
  type Address,
  type BrineError,
  type PeerInfo,
  type RequestHandler,
  type RequestServer,
  type ServerEvents,
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
 * request port where any path upgrades to WebSocket; see {@link RequestConnection} for the
 * per-connection protocol and {@link UpgradeListener} for handshake limits.
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

  constructor(private readonly options: ResolvedWsOptions) {
    this.liveness = new Liveness(options.heartbeatInterval, options.heartbeatTimeout);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  async listen(address: Address, handler: RequestHandler, options: AbortOptions = {}): Promise<Address> {
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    if (this.listener) throw new StateError(ErrorCodes.INVALID_STATE, 'request server is already listening');
    throwIfAborted(options.signal);
    const listener = new UpgradeListener(this.options, {
      connection: (ws, req) => this.accept(ws, req, handler),
      peerError: (error) => this.report(error, undefined),
    });
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

  private accept(ws: WebSocket, req: IncomingMessage, handler: RequestHandler): void {
    const peer = this.peers.peerOf(req);
    const connection = new RequestConnection(ws, peer, handler, this.options, (e, p) => this.report(e, p));
    let error: BrineError | undefined;
    ws.on('error', (e) => {
      error ??= fromNodeError(e, ErrorCodes.CONNECTION_LOST, `request connection ${peer.id}`);
      if (error.code !== ErrorCodes.CONNECTION_LOST) this.report(error, peer);
    });
    ws.once('close', () => {
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
    this.options.logger.warning(`ws request server: ${error.message}${peer ? ` (peer ${peer.id})` : ''}`, error);
    this.events.emit('error', error, peer);
  }
}
