import WebSocket from 'ws';
import { ErrorCodes, TransportError, asAbortError, type BrineError } from '@brine/contracts';
import type { Dialer, WireSocket } from '../client/socket.js';
import type { ResolvedWsOptions } from '../options.js';
import { fromNodeError } from './errors.js';
import { clientTls } from './tls.js';

/** Connects with the `ws` package: permessage-deflate off, `maxPayload` = maxMessageSize, TLS verification on. */
export function nodeDialer(options: ResolvedWsOptions): Dialer {
  const tls = options.ssl ? clientTls(options.ssl) : undefined;
  return (url, handlers, { signal }) =>
    new Promise<WireSocket>((resolve, reject) => {
      if (signal.aborted) {
        reject(asAbortError(signal.reason));
        return;
      }
      const ws = new WebSocket(url, {
        perMessageDeflate: options.perMessageDeflate,
        maxPayload: options.maxMessageSize,
        handshakeTimeout: options.handshakeTimeout,
        followRedirects: false,
        ...tls,
      });
      ws.binaryType = 'nodebuffer';
      let opened = false;
      let closeError: BrineError | undefined;
      const onAbort = (): void => {
        if (!opened) {
          reject(asAbortError(signal.reason));
          ws.terminate();
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });

      const socket = new NodeWireSocket(ws, options.closeTimeout, (error) => (closeError ??= error));
      ws.on('upgrade', (res) => {
        if (options.tcpKeepalive) res.socket.setKeepAlive(true, options.tcpKeepaliveIdle * 1000);
      });
      ws.on('open', () => {
        opened = true;
        signal.removeEventListener('abort', onAbort);
        handlers.open(socket);
        resolve(socket);
      });
      ws.on('error', (error) => {
        if (!opened) {
          signal.removeEventListener('abort', onAbort);
          reject(fromNodeError(error, handshakeCode(error), `ws connection to ${url} failed`));
          return;
        }
        closeError ??= fromNodeError(error, ErrorCodes.CONNECTION_LOST, 'ws connection error');
      });
      ws.on('message', (data, isBinary) => {
        handlers.message(toBytes(data), isBinary);
      });
      ws.on('ping', () => handlers.activity());
      ws.on('pong', () => handlers.activity());
      ws.on('close', (code, reason) => {
        if (!opened) return;
        if (closeError === undefined && code !== 1000 && code !== 1001) {
          closeError = new TransportError(
            ErrorCodes.CONNECTION_LOST,
            `connection closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`,
            { details: { code } },
          );
        } else if (closeError === undefined && code === 1001) {
          closeError = new TransportError(ErrorCodes.CONNECTION_LOST, 'the server went away', { details: { code } });
        }
        handlers.close(closeError);
      });
    });
}

/** ws reports a handshake timeout as a plain Error without a code. */
function handshakeCode(error: Error): typeof ErrorCodes.TIMEOUT | typeof ErrorCodes.UNREACHABLE {
  return /handshake has timed out/i.test(error.message) ? ErrorCodes.TIMEOUT : ErrorCodes.UNREACHABLE;
}

function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return new Uint8Array(data);
}

class NodeWireSocket implements WireSocket {
  readonly canPause = true;
  readonly canPing = true;

  constructor(
    private readonly ws: WebSocket,
    private readonly closeTimeout: number,
    private readonly setError: (error: BrineError) => void,
  ) {}

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  get paused(): boolean {
    return this.ws.isPaused;
  }

  send(data: Uint8Array): void {
    this.ws.send(data, { binary: true, compress: false });
  }

  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.ping();
  }

  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  close(code: number, reason?: string): void {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    // A paused socket would never read the peer's close frame; a dead peer never sends one.
    if (this.ws.isPaused) this.ws.resume();
    const timer = setTimeout(() => this.ws.terminate(), this.closeTimeout);
    this.ws.once('close', () => clearTimeout(timer));
  }

  terminate(error?: BrineError): void {
    if (error) this.setError(error);
    this.ws.terminate();
  }
}
