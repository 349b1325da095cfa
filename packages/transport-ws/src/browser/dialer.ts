import {
  asAbortError,
  ConfigError,
  ErrorCodes,
  ProtocolError,
  TimeoutError,
  TransportError,
  type BrineError,
} from '@brine/contracts';
import type { Dialer, WireSocket } from '../client/socket.js';
import { globalWebSocket, type WebSocketConstructorLike, type WebSocketLike } from './websocket-like.js';

export interface BrowserDialerOptions {
  handshakeTimeout: number;
  closeTimeout: number;
  maxMessageSize: number;
  /** Defaults to the global WebSocket. */
  WebSocket?: WebSocketConstructorLike;
}

/**
 * Connects with the runtime's WebSocket. Browsers neither expose TLS settings (the page's trust
 * store decides), nor pings, nor reading pauses; they do answer the server's pings, so the
 * server's liveness check covers browser clients.
 */
export function browserDialer(options: BrowserDialerOptions): Dialer {
  const Ctor = options.WebSocket ?? globalWebSocket();
  if (!Ctor) throw new ConfigError(ErrorCodes.CONFIG, 'no WebSocket in this runtime; pass the WebSocket option');
  return (url, handlers, { signal }) =>
    new Promise<WireSocket>((resolve, reject) => {
      if (signal.aborted) {
        reject(asAbortError(signal.reason));
        return;
      }
      let ws: WebSocketLike;
      try {
        ws = new Ctor(url);
      } catch (error) {
        reject(new ConfigError(ErrorCodes.INVALID_ARGUMENT, `cannot open ${url}`, { cause: error }));
        return;
      }
      ws.binaryType = 'arraybuffer';
      let opened = false;
      let finished = false;
      let closeError: BrineError | undefined;
      let closeTimer: ReturnType<typeof setTimeout> | undefined;
      const finish = (): void => {
        if (finished) return;
        finished = true;
        if (closeTimer !== undefined) clearTimeout(closeTimer);
        handlers.close(closeError);
      };
      const socket: WireSocket = {
        canPause: false,
        canPing: false,
        paused: false,
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        send: (data) => ws.send(data),
        ping: () => {},
        pause: () => {},
        resume: () => {},
        close: (code, reason) => {
          ws.close(code, reason);
          // Browsers may take long to report a close on a dead network: do not wait for them.
          closeTimer ??= setTimeout(finish, options.closeTimeout);
        },
        terminate: (error) => {
          closeError ??= error;
          ws.close(1000);
          finish();
        },
      };
      const timer = setTimeout(() => {
        fail(
          new TimeoutError(
            ErrorCodes.TIMEOUT,
            `WebSocket handshake with ${url} timed out after ${options.handshakeTimeout} ms`,
          ),
        );
        ws.close();
      }, options.handshakeTimeout);
      const onAbort = (): void => {
        fail(asAbortError(signal.reason));
        ws.close();
      };
      const fail = (error: Error): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        if (!opened) reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });

      ws.addEventListener('open', () => {
        if (signal.aborted) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        opened = true;
        handlers.open(socket);
        resolve(socket);
      });
      ws.addEventListener('error', () => {
        // Browsers say nothing about why (certificate, refused, DNS): one code for all.
        const error = new TransportError(ErrorCodes.UNREACHABLE, `WebSocket error on ${url}`);
        if (!opened) fail(error);
        else closeError ??= new TransportError(ErrorCodes.CONNECTION_LOST, `WebSocket error on ${url}`);
      });
      ws.addEventListener('message', (event) => {
        if (finished) return;
        const { data } = event;
        if (typeof data === 'string') {
          handlers.message(new TextEncoder().encode(data), false);
          return;
        }
        const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : undefined;
        if (!bytes) return;
        if (bytes.length > options.maxMessageSize) {
          closeError ??= new ProtocolError(
            ErrorCodes.MESSAGE_TOO_LARGE,
            `message of ${bytes.length} bytes is over maxMessageSize (${options.maxMessageSize})`,
          );
          ws.close(1000); // scripts may only send 1000 or 3000-4999
          finish();
          return;
        }
        handlers.message(bytes, true);
      });
      ws.addEventListener('close', (event) => {
        if (!opened) {
          fail(new TransportError(ErrorCodes.UNREACHABLE, `WebSocket to ${url} closed before opening (${event.code})`));
          return;
        }
        if (closeError === undefined && event.code !== 1000) {
          closeError = new TransportError(ErrorCodes.CONNECTION_LOST, `connection closed (${event.code})`, {
            details: { code: event.code },
          });
        }
        finish();
      });
    });
}
