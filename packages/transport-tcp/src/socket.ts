import net from 'node:net';
import tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { ErrorCodes, ConfigError, isPathAddress, type Address, type TlsOptions } from '@brine/contracts';
import { socketError } from './errors.js';

export type Socket = net.Socket | tls.TLSSocket;

function read(file: string | undefined, inline: string | Uint8Array | undefined): string | Buffer | undefined {
  if (inline !== undefined) return typeof inline === 'string' ? inline : Buffer.from(inline);
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ConfigError(ErrorCodes.CONFIG, `cannot read TLS file ${file}`, { cause: error });
  }
}

function caOf(ssl: TlsOptions): Array<string | Buffer> | undefined {
  if (ssl.ca !== undefined) {
    const list = Array.isArray(ssl.ca) ? ssl.ca : [ssl.ca];
    return list.map((c) => (typeof c === 'string' ? c : Buffer.from(c)));
  }
  const file = read(ssl.ca_certs, undefined);
  return file === undefined ? undefined : [file];
}

export function clientTlsOptions(ssl: TlsOptions, host: string | undefined): tls.ConnectionOptions {
  const options: tls.ConnectionOptions = {
    rejectUnauthorized: ssl.cert_reqs !== 'CERT_NONE',
    ca: caOf(ssl),
    cert: read(ssl.certfile, ssl.cert),
    key: read(ssl.keyfile, ssl.key),
  };
  if (ssl.ciphers) options.ciphers = ssl.ciphers;
  const servername = ssl.servername ?? (host && !net.isIP(host) ? host : undefined);
  if (servername) options.servername = servername;
  return options;
}

export function serverTlsOptions(ssl: TlsOptions): tls.TlsOptions {
  const cert = read(ssl.certfile, ssl.cert);
  const key = read(ssl.keyfile, ssl.key);
  if (!cert || !key)
    throw new ConfigError(ErrorCodes.CONFIG, 'a TLS server needs certfile and keyfile (or cert and key)');
  const options: tls.TlsOptions = {
    cert,
    key,
    ca: caOf(ssl),
    requestCert: ssl.cert_reqs === 'CERT_REQUIRED' || ssl.cert_reqs === 'CERT_OPTIONAL',
    rejectUnauthorized: ssl.cert_reqs === 'CERT_REQUIRED',
  };
  if (ssl.ciphers) options.ciphers = ssl.ciphers;
  return options;
}

export interface DialOptions {
  ssl: TlsOptions | undefined;
  keepalive: boolean;
  keepaliveIdle: number;
  signal: AbortSignal;
  target: string;
}

/** Opens one TCP (or TLS, or unix socket) connection; resolves once it is usable. */
export function dial(address: Address, options: DialOptions): Promise<Socket> {
  return new Promise<Socket>((resolve, reject) => {
    const { ssl, signal, target } = options;
    const base = isPathAddress(address) ? { path: address.path } : { host: address.host, port: address.port };
    const socket: Socket = ssl
      ? tls.connect({ ...base, ...clientTlsOptions(ssl, isPathAddress(address) ? undefined : address.host) })
      : net.connect(base);
    const ready = ssl ? 'secureConnect' : 'connect';
    const cleanup = (): void => {
      socket.off(ready, onReady);
      socket.off('error', onError);
      signal.removeEventListener('abort', onAbort);
    };
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      if (options.keepalive) socket.setKeepAlive(true, options.keepaliveIdle * 1000);
      resolve(socket);
    };
    const onError = (error: Error): void => {
      cleanup();
      socket.destroy();
      reject(socketError(error, target));
    };
    const onAbort = (): void => {
      cleanup();
      socket.destroy();
      reject(signal.reason);
    };
    socket.once(ready, onReady);
    socket.once('error', onError);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

export interface ListenOptions {
  ssl: TlsOptions | undefined;
  backlog: number;
  ipv6: boolean;
}

/** Creates and binds a server; resolves with it and the address it really bound. */
export async function listen(
  address: Address,
  options: ListenOptions,
  onConnection: (socket: Socket) => void,
): Promise<{ server: net.Server; bound: Address }> {
  const server = options.ssl
    ? tls.createServer(serverTlsOptions(options.ssl), onConnection)
    : net.createServer({ noDelay: true }, onConnection);
  if (options.ssl) server.on('tlsClientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error): void => reject(socketError(error, 'listen'));
    server.once('error', onError);
    const done = (): void => {
      server.off('error', onError);
      resolve();
    };
    if (isPathAddress(address)) server.listen({ path: address.path, backlog: options.backlog }, done);
    else server.listen({ host: address.host, port: address.port, backlog: options.backlog, ipv6Only: false }, done);
  });
  const info = server.address();
  const bound: Address =
    typeof info === 'string' || info === null
      ? { path: isPathAddress(address) ? address.path : String(info) }
      : { host: isPathAddress(address) ? '127.0.0.1' : address.host, port: info.port };
  return { server, bound };
}

export function closeServer(server: net.Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
