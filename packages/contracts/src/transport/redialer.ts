import { ClosedError, ErrorCodes, TimeoutError, toBrineError, type BrineError } from '../errors/index.js';
import type { Logger } from '../logger.js';
import { asAbortError, delay, type AbortOptions } from '../util/abort.js';
import { TypedEmitter } from '../util/emitter.js';
import type { ReconnectPolicy } from './reconnect.js';
import type { ClientEvents } from './types.js';

export interface RedialerOptions<C> {
  /** Opens one connection. Rejects (ideally with a BrineError) when it cannot. */
  dial(signal: AbortSignal): Promise<C>;
  /** Serves an open connection; resolves when it ends, with the reason if it was an error. */
  serve(connection: C): Promise<BrineError | undefined>;
  /** Closes a connection now (on stop). */
  hangUp(connection: C): void;
  policy: ReconnectPolicy;
  logger: Logger;
  /** Printed in logs: `tcp://127.0.0.1:4506`. */
  target: string;
  /** Where connect/disconnect/error go; pass the client's own emitter so listeners survive re-creation. */
  events?: TypedEmitter<ClientEvents>;
}

/**
 * Keeps a client connected: dials, serves the connection until it drops, waits the reconnect
 * policy's delay, dials again — until stopped. Shared by the clients of every transport that
 * manages its own sockets (libzmq reconnects by itself).
 */
export class Redialer<C> {
  readonly events: TypedEmitter<ClientEvents>;
  private current: C | undefined;
  private lastError: BrineError | undefined;
  private readonly stopController = new AbortController();
  private loop: Promise<void> | undefined;
  private everConnected = false;

  constructor(private readonly options: RedialerOptions<C>) {
    this.events = options.events ?? new TypedEmitter<ClientEvents>();
  }

  get connection(): C | undefined {
    return this.current;
  }

  get connected(): boolean {
    return this.current !== undefined;
  }

  get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  start(): void {
    if (this.loop || this.stopped) return;
    this.loop = this.run();
  }

  /** Resolves once connected; rejects on timeout/abort with the last dial error as `cause`, or on stop. */
  async waitConnected(options: AbortOptions = {}): Promise<void> {
    if (this.current !== undefined) return;
    if (this.stopped) throw new ClosedError(ErrorCodes.CLOSED, 'client is closed');
    const { signal, timeout } = options;
    const stop = this.stopController.signal;
    await new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        off();
        if (timer) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        stop.removeEventListener('abort', onStop);
      };
      const off = this.events.on('connect', () => {
        cleanup();
        resolve();
      });
      const onAbort = (): void => {
        cleanup();
        reject(asAbortError(signal?.reason));
      };
      const onStop = (): void => {
        cleanup();
        reject(new ClosedError(ErrorCodes.CLOSED, 'client closed while connecting'));
      };
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          cleanup();
          reject(
            new TimeoutError(ErrorCodes.TIMEOUT, `could not connect to ${this.options.target} within ${timeout} ms`, {
              cause: this.lastError,
              details: { target: this.options.target },
            }),
          );
        }, timeout);
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      stop.addEventListener('abort', onStop, { once: true });
      if (signal?.aborted) onAbort();
    });
  }

  /** Stops reconnecting and hangs up the current connection. Resolves when the loop has ended. */
  async stop(): Promise<void> {
    if (!this.stopped) {
      this.stopController.abort(new ClosedError(ErrorCodes.CLOSED, 'client is closed'));
      if (this.current !== undefined) this.options.hangUp(this.current);
    }
    await this.loop;
  }

  private tlsWarned: string | undefined;

  private async run(): Promise<void> {
    const { logger, policy, target } = this.options;
    const stop = this.stopController.signal;
    while (!stop.aborted) {
      let connection: C;
      try {
        logger.debug(`Trying to connect to: ${target}`);
        connection = await this.options.dial(stop);
      } catch (error) {
        if (stop.aborted) break;
        this.lastError = toBrineError(error, ErrorCodes.UNREACHABLE, `cannot connect to ${target}`);
        this.events.emit('error', this.lastError);
        const wait = policy.next();
        const line = `Connection to ${target} failed (${this.lastError.message}); retrying in ${wait} ms`;
        // A TLS failure is a configuration problem the operator must see, once per distinct cause.
        if (this.lastError.code === ErrorCodes.TLS && this.lastError.message !== this.tlsWarned) {
          this.tlsWarned = this.lastError.message;
          logger.warning(line, this.lastError);
        } else logger.debug(line);
        await delay(wait, stop).catch(() => {});
        continue;
      }
      if (stop.aborted) {
        this.options.hangUp(connection);
        break;
      }
      policy.reset();
      this.current = connection;
      this.lastError = undefined;
      if (this.everConnected) logger.info(`Reconnected to ${target}`);
      this.everConnected = true;
      this.events.emit('connect');
      const reason = await this.options
        .serve(connection)
        .catch((e: unknown) => toBrineError(e, ErrorCodes.CONNECTION_LOST));
      this.current = undefined;
      if (reason) this.lastError = reason;
      this.events.emit('disconnect', reason);
      if (stop.aborted) break;
      const wait = policy.next();
      logger.debug(`Disconnected from ${target}${reason ? ` (${reason.code})` : ''}; reconnecting in ${wait} ms`);
      await delay(wait, stop).catch(() => {});
    }
  }
}
