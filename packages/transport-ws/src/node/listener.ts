import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  StateError,
  ConfigError,
  ErrorCodes,
  isPathAddress,
  ProtocolError,
  TransportError,
  type Address,
  type BrineError,
  type HostAddress,
} from '@brine/contracts';
import type { ResolvedWsOptions } from '../options.js';
import { fromNodeError } from './errors.js';
import { serverTls } from './tls.js';

export interface ListenerHooks {
  /** A WebSocket connection is open (any path: Salt does no routing); `socket` carries it. */
  connection(ws: WebSocket, req: IncomingMessage, socket: Duplex): void;
  /** Bad input from a peer that never became a WebSocket connection (garbage, bad handshake, idle, TLS). */
  peerError(error: BrineError, socket: Socket | undefined): void;
  /** A new TCP connection was closed at once: the listener is at one of its connection caps. */
  refused?(error: BrineError): void;
}

export interface ListenerLimits {
  /** `maxPayload` of every WebSocket connection (a connection may lower or raise its own later). */
  maxPayload: number;
  /** Count connections not yet authenticated against `maxUnauthenticatedConnections` (request servers). */
  countUnauthenticated: boolean;
}

/**
 * An HTTP(S) server whose only job is upgrading to WebSocket: any path upgrades; plain HTTP
 * requests get `426 Upgrade Required`. A peer must finish the opening handshake within
 * `idleTimeout` (`ERR_IDLE_TIMEOUT`); bytes that are not HTTP are reported (`ERR_BAD_FRAME`) and the
 * connection is dropped; TLS failures are reported as `ERR_TLS`.
 */
export class UpgradeListener {
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  /** Every accepted TCP socket still open, so close() can release them. */
  private readonly sockets = new Set<Socket>();
  private readonly handshakeTimers = new Map<Socket, ReturnType<typeof setTimeout>>();
  /** Sockets already reported: Node may raise both `clientError` and `tlsClientError` for one failure. */
  private readonly reported = new WeakSet<Socket>();
  /** Sockets (TCP connections) not yet authenticated, for `maxUnauthenticatedConnections`. */
  private readonly unauthenticated = new Set<Socket>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly options: ResolvedWsOptions,
    private readonly hooks: ListenerHooks,
    private readonly limits: ListenerLimits = { maxPayload: options.maxMessageSize, countUnauthenticated: false },
  ) {
    const tls = options.ssl ? serverTls(options.ssl) : undefined;
    const onRequest = (_req: IncomingMessage, res: ServerResponse): void => {
      res.writeHead(426, { Connection: 'close', Upgrade: 'websocket', 'Content-Type': 'text/plain' });
      res.end('WebSocket only\n');
    };
    this.server = tls
      ? createHttpsServer({ ...tls, handshakeTimeout: options.idleTimeout || 120_000 }, onRequest)
      : createHttpServer(onRequest);
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: options.perMessageDeflate,
      maxPayload: limits.maxPayload,
      clientTracking: false,
    });
    this.wss.on('wsClientError', (error, socket) => {
      this.reject(socket as Socket, fromNodeError(error, ErrorCodes.BAD_FRAME, 'bad WebSocket handshake'), 400);
    });
    this.server.on('connection', (socket: Socket) => {
      const cap = this.atCap();
      if (cap !== undefined) {
        socket.destroy();
        this.hooks.refused?.(
          new TransportError(ErrorCodes.TOO_MANY_CONNECTIONS, `connection refused: at ${cap}`, {
            details: {
              connections: this.sockets.size,
              unauthenticated: this.unauthenticated.size,
              ...peerDetails(socket),
            },
          }),
        );
        return;
      }
      this.sockets.add(socket);
      if (this.countsUnauthenticated) this.unauthenticated.add(socket);
      socket.once('close', () => {
        this.sockets.delete(socket);
        this.unauthenticated.delete(socket);
        this.clearTimer(socket);
      });
      if (options.tcpKeepalive) socket.setKeepAlive(true, options.tcpKeepaliveIdle * 1000);
      if (!tls) this.armTimer(socket);
    });
    // With TLS the HTTP layer runs on the TLSSocket; `handshakeTimeout` above covers the TLS handshake.
    if (tls) this.server.on('secureConnection', (socket: Socket) => this.armTimer(socket));
    this.server.on('clientError', (error: Error & { code?: string }, socket: Socket) => {
      // The peer hung up before sending a request (for TLS, `tlsClientError` reports the handshake).
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') {
        socket.destroy();
        return;
      }
      this.reject(socket, fromNodeError(error, ErrorCodes.BAD_FRAME, 'not an HTTP request'), 400);
    });
    this.server.on('tlsClientError', (error: Error, socket: Socket) => {
      const e = new TransportError(ErrorCodes.TLS, `TLS handshake failed: ${error.message}`, {
        cause: error,
        details: peerDetails(socket),
      });
      this.report(e, socket);
      socket.destroy();
    });
    this.server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.clearTimer(socket);
      if (this.closing) {
        socket.destroy();
        return;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.hooks.connection(ws, req, socket));
    });
  }

  /** Open TCP connections, and those among them not yet authenticated. */
  get counts(): { connections: number; unauthenticated: number } {
    return { connections: this.sockets.size, unauthenticated: this.unauthenticated.size };
  }

  /** The connection on `socket` proved itself: it no longer counts against `maxUnauthenticatedConnections`. */
  authenticated(socket: Duplex): void {
    this.unauthenticated.delete(socket as Socket);
  }

  private get countsUnauthenticated(): boolean {
    return this.limits.countUnauthenticated && this.options.authMaxMessageSize > 0;
  }

  private atCap(): string | undefined {
    if (this.sockets.size >= this.options.maxConnections) return `maxConnections (${this.options.maxConnections})`;
    if (this.countsUnauthenticated && this.unauthenticated.size >= this.options.maxUnauthenticatedConnections) {
      return `maxUnauthenticatedConnections (${this.options.maxUnauthenticatedConnections})`;
    }
    return undefined;
  }

  get secure(): boolean {
    return this.options.ssl !== undefined;
  }

  listen(address: Address): Promise<HostAddress> {
    if (isPathAddress(address)) {
      return Promise.reject(
        new ConfigError(ErrorCodes.INVALID_ARGUMENT, `the ws transport listens on host:port, not ${address.path}`),
      );
    }
    let host = address.host;
    if (this.options.ipv6 && host === '0.0.0.0') host = '::';
    return new Promise((resolve, reject) => {
      const onError = (error: Error): void => {
        // A listener that could not bind releases what it holds before reporting.
        void this.shutdown(async () => {}).then(() =>
          reject(fromNodeError(error, ErrorCodes.UNREACHABLE, `cannot listen on ${host}:${address.port}`)),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ host, port: address.port, ipv6Only: false }, () => {
        this.server.off('error', onError);
        this.server.on('error', (error) => {
          this.hooks.peerError(fromNodeError(error, ErrorCodes.CONNECTION_LOST, 'server error'), undefined);
        });
        const bound = this.server.address();
        if (bound === null || typeof bound === 'string') {
          reject(new StateError(ErrorCodes.INVALID_STATE, 'server has no TCP address'));
          return;
        }
        resolve({ host: address.host, port: bound.port });
      });
    });
  }

  /**
   * Stops accepting, lets the owner close its WebSocket connections (`closeOpen`), then destroys
   * whatever socket is left (peers still handshaking, peers that ignored the close) and resolves
   * once the server has released everything.
   */
  shutdown(closeOpen: () => Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      for (const timer of this.handshakeTimers.values()) clearTimeout(timer);
      this.handshakeTimers.clear();
      const released = new Promise<void>((resolve) => {
        if (this.server.listening) this.server.close(() => resolve());
        else resolve();
      });
      await closeOpen();
      for (const socket of this.sockets) socket.destroy();
      await released;
    })();
    return this.closing;
  }

  private armTimer(socket: Socket): void {
    if (this.options.idleTimeout === 0) return;
    const timer = setTimeout(() => {
      this.handshakeTimers.delete(socket);
      const error = new ProtocolError(
        ErrorCodes.IDLE_TIMEOUT,
        `peer did not complete the WebSocket handshake within ${this.options.idleTimeout} ms`,
        { details: { idleTimeout: this.options.idleTimeout, ...peerDetails(socket) } },
      );
      this.report(error, socket);
      socket.destroy();
    }, this.options.idleTimeout);
    timer.unref();
    this.handshakeTimers.set(socket, timer);
  }

  private clearTimer(socket: Socket): void {
    const timer = this.handshakeTimers.get(socket);
    if (timer !== undefined) clearTimeout(timer);
    this.handshakeTimers.delete(socket);
  }

  private report(error: BrineError, socket: Socket): void {
    if (this.reported.has(socket)) return;
    this.reported.add(socket);
    this.hooks.peerError(error, socket);
  }

  private reject(socket: Socket, error: BrineError, status: number): void {
    const e =
      error instanceof ProtocolError || error instanceof TransportError
        ? error
        : new ProtocolError(ErrorCodes.BAD_FRAME, error.message, { cause: error });
    this.report(e, socket);
    if (socket.writable && !socket.destroyed) {
      socket.write(`HTTP/1.1 ${status} Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () =>
        socket.destroy(),
      );
    } else {
      socket.destroy();
    }
  }
}

function peerDetails(socket: Socket | undefined): Record<string, unknown> {
  return socket ? { remoteAddress: socket.remoteAddress, remotePort: socket.remotePort } : {};
}
