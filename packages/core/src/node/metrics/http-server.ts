/**
 * The opt-in HTTP endpoint of a daemon (`metrics_port`): `/metrics` in Prometheus text format,
 * `/healthz` (the process answers) and `/readyz` (the daemon is ready). It is an attack surface
 * like any listener, so it is bounded: GET/HEAD only, no request body read, small headers, short
 * timeouts, a connection cap, one request per connection (docs/limits.md).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigError, ErrorCodes, TransportError, silentLogger, type Logger } from '@brine/contracts';

/** What `/metrics` serves: a prom-client Registry fits. */
export interface MetricsSource {
  readonly contentType: string;
  metrics(): Promise<string>;
}

export interface MetricsServerLimits {
  /** Open connections at once; more are closed on accept. Default 32. */
  maxConnections?: number;
  /** Largest request head (request line and headers), bytes. Default 8192. */
  maxHeaderSize?: number;
  /** Time to receive the request head, ms. Default 5000. */
  headersTimeout?: number;
  /** Time to receive the whole request, ms. Default 10000. */
  requestTimeout?: number;
  /** A connection idle this long is closed, ms. Default 10000. */
  idleTimeout?: number;
}

export interface MetricsServerOptions extends MetricsServerLimits {
  /** Default 127.0.0.1 (`metrics_host`). */
  host?: string;
  /** 0 picks a free port (`metrics_port`). */
  port: number;
  source: MetricsSource;
  /** `/readyz` answers 200 while this returns true, else 503. */
  ready: () => boolean;
  logger?: Logger;
}

export interface MetricsServer {
  /** The bound address (the real port when 0 was asked). */
  readonly address: { host: string; port: number };
  /** Stops listening and closes open connections. Idempotent. */
  close(): Promise<void>;
}

export const METRICS_SERVER_DEFAULTS: Required<MetricsServerLimits> = {
  maxConnections: 32,
  maxHeaderSize: 8192,
  headersTimeout: 5000,
  requestTimeout: 10_000,
  idleTimeout: 10_000,
};

/** Listens on `host:port` and serves `/metrics`, `/healthz` and `/readyz`; anything else is 404. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const limits = { ...METRICS_SERVER_DEFAULTS, ...definedLimits(options) };
  const host = options.host ?? '127.0.0.1';
  const logger = options.logger ?? silentLogger;
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new ConfigError(ErrorCodes.CONFIG, `metrics_port must be an integer from 0 to 65535, got ${options.port}`, {
      details: { option: 'metrics_port' },
    });
  }
  const server = createServer(
    {
      maxHeaderSize: limits.maxHeaderSize,
      headersTimeout: limits.headersTimeout,
      requestTimeout: limits.requestTimeout,
      keepAlive: false,
    },
    (request, response) => void answer(request, response, options, logger),
  );
  server.maxConnections = limits.maxConnections;
  server.maxRequestsPerSocket = 1;
  server.keepAliveTimeout = 0;
  server.setTimeout(limits.idleTimeout, (socket: Socket) => socket.destroy());
  server.on('clientError', (_error, socket: Socket) => {
    // Oversized or malformed heads, timeouts: a bare 400 and the connection closed.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    else socket.destroy();
  });
  await listen(server, host, options.port);
  const bound = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    address: { host: bound.address, port: bound.port },
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

async function answer(
  request: IncomingMessage,
  response: ServerResponse,
  options: MetricsServerOptions,
  logger: Logger,
): Promise<void> {
  response.setHeader('Connection', 'close');
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, request, 405, 'method not allowed\n');
  }
  const path = (request.url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/metrics': {
      let body: string;
      try {
        body = await options.source.metrics();
      } catch (error) {
        logger.warning('Cannot collect metrics', error);
        return send(response, request, 500, 'cannot collect metrics\n');
      }
      return send(response, request, 200, body, options.source.contentType);
    }
    case '/healthz':
      return send(response, request, 200, 'ok\n');
    case '/readyz':
      return options.ready() ? send(response, request, 200, 'ready\n') : send(response, request, 503, 'not ready\n');
    default:
      return send(response, request, 404, 'not found\n');
  }
}

function send(
  response: ServerResponse,
  request: IncomingMessage,
  status: number,
  body: string,
  contentType = 'text/plain; charset=utf-8',
): void {
  response.statusCode = status;
  response.setHeader('Content-Type', contentType);
  response.setHeader('Content-Length', Buffer.byteLength(body));
  response.end(request.method === 'HEAD' ? undefined : body);
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      const code = error.code === 'EADDRINUSE' ? ErrorCodes.ADDRESS_IN_USE : ErrorCodes.CONFIG;
      const message =
        error.code === 'EADDRINUSE'
          ? `metrics_port ${host}:${port} is in use`
          : `cannot listen on metrics_port ${host}:${port}: ${error.message}`;
      reject(
        code === ErrorCodes.ADDRESS_IN_USE
          ? new TransportError(code, message, { cause: error, details: { host, port } })
          : new ConfigError(code, message, { cause: error, details: { option: 'metrics_port', host, port } }),
      );
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

function definedLimits(options: MetricsServerLimits): MetricsServerLimits {
  const out: MetricsServerLimits = {};
  for (const key of Object.keys(METRICS_SERVER_DEFAULTS) as Array<keyof MetricsServerLimits>) {
    const value = options[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
