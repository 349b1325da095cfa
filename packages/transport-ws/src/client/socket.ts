/**
 * The few things the clients need from a WebSocket, so one client implementation runs on Node's
 * `ws` and on a browser's global WebSocket. Implementations: node/dialer.ts, browser/dialer.ts.
 */
import type { BrineError } from '@brine/contracts';

/** An open WebSocket connection. */
export interface WireSocket {
  /** Bytes accepted by `send` and not yet written out. */
  readonly bufferedAmount: number;
  /** True when the runtime can stop reading (Node); browsers cannot. */
  readonly canPause: boolean;
  readonly paused: boolean;
  /** True when the runtime can send pings (Node); browsers cannot (they only answer them). */
  readonly canPing: boolean;
  send(data: Uint8Array): void;
  ping(): void;
  pause(): void;
  resume(): void;
  /** Starts a close handshake (destroys the socket if it takes longer than the close timeout). */
  close(code: number, reason?: string): void;
  /** Destroys the connection at once; `error` is what the close handler reports. */
  terminate(error?: BrineError): void;
}

/** What a socket reports to its owner. */
export interface WireHandlers {
  /** The opening handshake completed; called once, synchronously, before any other handler. */
  open(socket: WireSocket): void;
  /** One complete message; `binary` false for text frames. */
  message(data: Uint8Array, binary: boolean): void;
  /** Any frame arrived (message, ping, pong): the peer is alive. */
  activity(): void;
  /** The connection ended; `error` is undefined for a clean close. Called once. */
  close(error: BrineError | undefined): void;
}

export interface DialOptions {
  /** Aborting it abandons the attempt (the promise rejects with the signal's reason). */
  signal: AbortSignal;
}

/**
 * Opens one connection to `url`. Calls `handlers.open` and resolves once the opening handshake is
 * complete; rejects with a typed error (`ERR_UNREACHABLE`, `ERR_TLS`, `ERR_TIMEOUT`...) otherwise.
 * Once open, `handlers` receive everything that happens on the connection, ending with `close`.
 */
export type Dialer = (url: string, handlers: WireHandlers, options: DialOptions) => Promise<WireSocket>;
