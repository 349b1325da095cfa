/**
 * The raw libraries under Brine's transports, loaded with no Brine code in between. They are
 * dependencies of this package; until `pnpm install` links them here they are found through the
 * transport package that depends on them. Only the few members the baselines use are typed.
 */
import { createRequire } from 'node:module';
import { StateError, ConfigError, ErrorCodes } from '@brine/contracts';

export interface ZmqSocketBase {
  readonly closed: boolean;
  close(): void;
}

export interface ZmqDealer extends ZmqSocketBase, AsyncIterable<Buffer[]> {
  connect(address: string): void;
  send(message: Uint8Array | Uint8Array[]): Promise<void>;
}

export interface ZmqRouter extends ZmqSocketBase, AsyncIterable<Buffer[]> {
  bind(address: string): Promise<void>;
  readonly lastEndpoint: string | null;
  send(message: Uint8Array[]): Promise<void>;
}

export interface ZmqXPublisher extends ZmqSocketBase, AsyncIterable<Buffer[]> {
  /** 'allSubs' passes every subscription up, not only the first per topic (ZMQ_XPUB_VERBOSE). */
  verbosity: string | null;
  bind(address: string): Promise<void>;
  readonly lastEndpoint: string | null;
  send(message: Uint8Array): Promise<void>;
}

export interface ZmqSubscriber extends ZmqSocketBase, AsyncIterable<Buffer[]> {
  connect(address: string): void;
  subscribe(...topics: string[]): void;
}

export interface ZmqModule {
  version: string;
  context: { maxSockets: number };
  Dealer: new (options?: Record<string, unknown>) => ZmqDealer;
  Router: new (options?: Record<string, unknown>) => ZmqRouter;
  XPublisher: new (options?: Record<string, unknown>) => ZmqXPublisher;
  Subscriber: new (options?: Record<string, unknown>) => ZmqSubscriber;
}

export interface WsSocket {
  readonly bufferedAmount: number;
  readonly readyState: number;
  binaryType: string;
  send(data: Uint8Array, options?: { binary?: boolean }): void;
  on(event: 'message', listener: (data: Buffer, isBinary: boolean) => void): this;
  on(event: 'open' | 'close', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  once(event: 'open' | 'close', listener: () => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  close(): void;
  terminate(): void;
}

export interface WsServer {
  readonly clients: Set<WsSocket>;
  on(event: 'connection', listener: (socket: WsSocket) => void): this;
  on(event: 'listening', listener: () => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  once(event: 'listening', listener: () => void): this;
  once(event: 'error', listener: (error: Error) => void): this;
  address(): { port: number } | string | null;
  close(callback?: () => void): void;
}

export interface WsModule {
  WebSocket: new (url: string, options?: Record<string, unknown>) => WsSocket;
  WebSocketServer: new (options: Record<string, unknown>) => WsServer;
}

const here = createRequire(import.meta.url);

function requireVia(name: string, throughPackage: string): unknown {
  try {
    return here(name);
  } catch {
    // not linked into this package yet: use the transport package's copy (the same files)
  }
  try {
    const manifest = here.resolve(`${throughPackage}/package.json`);
    return createRequire(manifest)(name);
  } catch (error) {
    throw new ConfigError(ErrorCodes.CONFIG, `cannot load '${name}' for the raw baselines (run pnpm install)`, {
      cause: error,
    });
  }
}

let zmq: ZmqModule | undefined;
let ws: WsModule | undefined;

export function loadZmq(): ZmqModule {
  zmq ??= requireVia('zeromq', '@brine/transport-zmq') as ZmqModule;
  return zmq;
}

export function loadWs(): WsModule {
  ws ??= requireVia('ws', '@brine/transport-ws') as WsModule;
  return ws;
}

/**
 * libzmq's default context allows 1023 sockets per process, and Brine's ZeroMQ publish client uses
 * two per subscriber (SUB and its monitor): a process holding hundreds of subscribers needs more.
 */
export function raiseZmqSocketLimit(limit = 8192): void {
  const lib = loadZmq();
  if (lib.context.maxSockets < limit) lib.context.maxSockets = limit;
}

/** Version strings of the raw libraries, for the report. */
export function rawVersions(): { libzmq?: string; zeromqJs?: string; ws?: string } {
  const out: { libzmq?: string; zeromqJs?: string; ws?: string } = {};
  try {
    out.libzmq = loadZmq().version;
    out.zeromqJs = packageVersion('zeromq', '@brine/transport-zmq');
  } catch {
    // not installed
  }
  try {
    out.ws = packageVersion('ws', '@brine/transport-ws');
  } catch {
    // not installed
  }
  return out;
}

function packageVersion(name: string, throughPackage: string): string {
  const manifest = requireVia(`${name}/package.json`, throughPackage) as { version?: unknown };
  if (typeof manifest.version !== 'string') {
    throw new StateError(ErrorCodes.INVALID_STATE, `no version in ${name}/package.json`);
  }
  return manifest.version;
}
