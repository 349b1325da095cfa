import {
  asAbortError,
  deadline,
  ErrorCodes,
  TimeoutError,
  TransportError,
  type AbortOptions,
  type BrineError,
  type ClientEvents,
  type Logger,
  type TypedEmitter,
} from '@brine/contracts';
import type { Socket } from 'zeromq';
import { handshakeError } from './errors.js';

interface Waiter {
  resolve(): void;
  reject(error: unknown): void;
}

export interface ConnectionHooks {
  onConnect?(): void;
  onDisconnect?(error: BrineError): void;
}

/**
 * Follows a client socket's connection through the zeromq.js monitor (`socket.events`):
 * `handshake` (ZMTP handshake done) is "connected", `disconnect` after it is "disconnected",
 * `connect:retry` and handshake failures are remembered as the last error. libzmq reconnects by
 * itself; this only reports what it does, on the client's `events`.
 */
export class ConnectionWatch {
  private isConnected = false;
  private detached = false;
  private lastError: BrineError | undefined;
  private readonly waiters = new Set<Waiter>();

  constructor(
    socket: Socket,
    private readonly endpoint: string,
    private readonly events: TypedEmitter<ClientEvents>,
    private readonly logger: Logger,
    private readonly hooks: ConnectionHooks = {},
  ) {
    socket.events.on('handshake', () => this.connected());
    socket.events.on('disconnect', () => this.disconnected());
    socket.events.on('connect:retry', (event) => {
      if (this.detached) return;
      this.lastError = new TransportError(
        ErrorCodes.UNREACHABLE,
        `${endpoint} is unreachable; libzmq retries in ${event.interval} ms`,
        { details: { endpoint, retryIn: event.interval } },
      );
      this.logger.trace(this.lastError.message);
    });
    const onHandshakeError = (event: Parameters<typeof handshakeError>[0]): void => {
      if (this.detached) return;
      const error = handshakeError(event);
      this.lastError = error;
      this.logger.warning(`ZMTP handshake with ${endpoint} failed`, error);
      this.events.emit('error', error);
    };
    socket.events.on('handshake:error:protocol', onHandshakeError);
    socket.events.on('handshake:error:auth', onHandshakeError);
    socket.events.on('handshake:error:other', onHandshakeError);
  }

  get up(): boolean {
    return this.isConnected;
  }

  /** Resolves once connected; rejects on the caller's timeout (with the last connection error as `cause`) or abort. */
  async waitConnected(options: AbortOptions, what: string): Promise<void> {
    if (this.isConnected) return;
    const limit = deadline(options, undefined, what);
    try {
      await new Promise<void>((resolve, reject) => {
        const waiter: Waiter = {
          resolve: () => {
            limit.signal.removeEventListener('abort', onAbort);
            resolve();
          },
          reject: (error) => {
            limit.signal.removeEventListener('abort', onAbort);
            reject(error);
          },
        };
        const onAbort = (): void => {
          this.waiters.delete(waiter);
          reject(asAbortError(limit.signal.reason));
        };
        if (limit.signal.aborted) {
          onAbort();
          return;
        }
        limit.signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.add(waiter);
      });
    } catch (error) {
      if ((error as BrineError).code === ErrorCodes.TIMEOUT) {
        throw new TimeoutError(ErrorCodes.TIMEOUT, (error as Error).message, {
          cause: this.lastError,
          details: { endpoint: this.endpoint },
        });
      }
      throw error;
    } finally {
      limit.dispose();
    }
  }

  /**
   * Stops reporting: the socket is being replaced (its last events must not reach the client's
   * `events` or hooks, which now follow the new socket). Pending `waitConnected` calls move to
   * `next`.
   */
  detach(next: ConnectionWatch): void {
    this.detached = true;
    for (const w of this.waiters) next.waiters.add(w);
    this.waiters.clear();
  }

  /** Rejects every `waitConnected` (on close). */
  fail(error: Error): void {
    for (const w of [...this.waiters]) w.reject(error);
    this.waiters.clear();
  }

  private connected(): void {
    if (this.isConnected || this.detached) return;
    this.isConnected = true;
    this.lastError = undefined;
    this.logger.debug(`Connected to ${this.endpoint}`);
    this.hooks.onConnect?.();
    for (const w of [...this.waiters]) w.resolve();
    this.waiters.clear();
    this.events.emit('connect');
  }

  private disconnected(): void {
    if (!this.isConnected || this.detached) return; // a connection that never finished its handshake
    this.isConnected = false;
    const error = new TransportError(ErrorCodes.CONNECTION_LOST, `disconnected from ${this.endpoint}`, {
      details: { endpoint: this.endpoint },
    });
    this.lastError = error;
    this.logger.debug(error.message);
    this.hooks.onDisconnect?.(error);
    this.events.emit('disconnect', error);
  }
}
