import type { Redialer } from '@brine/contracts';
import {
  assertSameTarget,
  isBrineError,
  ClosedError,
  deadline,
  ErrorCodes,
  formatAddress,
  packb,
  ProtocolError,
  Slots,
  TimeoutError,
  TransportError,
  type AbortOptions,
  type Deadline,
  TypedEmitter,
  type Address,
  type ClientEvents,
  type RequestClient,
} from '@brine/contracts';
import type { FramedConnection } from './connection.js';
import { joinFrame, type Frame } from './framing.js';
import type { ResolvedTcpOptions } from './options.js';
import { clientRedialer } from './client-redialer.js';

interface Pending {
  body: Uint8Array;
  resolve(reply: unknown): void;
  reject(error: unknown): void;
  mid: number | undefined;
}

const MAX_MID = 2 ** 31 - 2; // Salt wraps its per-connection message id here

/**
 * Salt's TCP request client: one connection, many requests in flight matched on `head.mid`
 * (a per-connection counter from 1), reconnecting by the reconnect policy.
 */
export class TcpRequestClient implements RequestClient {
  readonly transport = 'tcp';
  readonly events = new TypedEmitter<ClientEvents>();
  private redialer: Redialer<FramedConnection> | undefined;
  private connection: FramedConnection | undefined;
  private readonly unsent: Pending[] = [];
  private readonly inflight = new Map<number, Pending>();
  private readonly slots: Slots;
  private mid = 0;
  private isClosed = false;
  private readonly closedDeferred: { promise: Promise<void>; resolve: () => void };
  private waitingDrain = false;

  constructor(private readonly options: ResolvedTcpOptions) {
    this.slots = new Slots(options.highWaterMark);
    let resolve!: () => void;
    this.closedDeferred = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  get closed(): Promise<void> {
    return this.closedDeferred.promise;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  private address: Address | undefined;

  private ensureRedialer(): Redialer<FramedConnection> {
    if (this.redialer) return this.redialer;
    if (!this.address) throw new ClosedError(ErrorCodes.CLOSED, 'no address');
    this.redialer = clientRedialer({
      address: this.address,
      target: formatAddress(this.address),
      options: this.options,
      events: this.events,
      onFrame: (_connection, frame) => this.onReply(frame),
      serve: (connection) => this.serve(connection),
    });
    return this.redialer;
  }

  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    assertSameTarget(this.address && formatAddress(this.address), formatAddress(address));
    if (!this.address) {
      this.address = address;
      this.redialer = undefined;
    }
    const redialer = this.ensureRedialer();
    this.options.logger.debug(
      `Connecting the Minion to the Master URI (for the return server): ${formatAddress(address)}`,
    );
    redialer.start();
    await redialer.waitConnected(options);
  }

  async request(message: unknown, options: AbortOptions = {}): Promise<unknown> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    let body: Uint8Array;
    try {
      body = packb(message);
    } catch (error) {
      throw isBrineError(error)
        ? error
        : new ProtocolError(ErrorCodes.ENCODE, 'cannot encode request', { cause: error });
    }
    if (body.length + 32 > this.options.maxMessageSize) {
      throw new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `request of ${body.length} bytes exceeds maxMessageSize ${this.options.maxMessageSize}`,
        { details: { size: body.length, maxMessageSize: this.options.maxMessageSize } },
      );
    }
    // The common case (no caller signal, a free slot) needs no AbortController: a plain timer.
    if (options.signal === undefined && this.slots.tryAcquire()) {
      return this.enqueue(body, options.timeout ?? this.options.requestTimeout, undefined);
    }
    const limit = deadline(options, this.options.requestTimeout, 'request');
    try {
      await this.slots.acquire(limit.signal);
    } catch (error) {
      limit.dispose();
      throw error;
    }
    return this.enqueue(body, undefined, limit);
  }

  /**
   * Queues a request whose slot is already taken. It ends by its reply, by `timeout` (a plain timer)
   * or by `limit` (the caller's signal and timeout); either way the slot is released once.
   */
  private enqueue(body: Uint8Array, timeout: number | undefined, limit: Deadline | undefined): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = (): void => {
        this.forget(pending);
        pending.reject(limit!.signal.reason);
      };
      const settle = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        if (limit) {
          limit.signal.removeEventListener('abort', onAbort);
          limit.dispose();
        }
        this.slots.release();
      };
      const pending: Pending = {
        body,
        mid: undefined,
        resolve: (reply) => {
          settle();
          resolve(reply);
        },
        reject: (error) => {
          settle();
          reject(error);
        },
      };
      if (limit) {
        if (limit.signal.aborted) {
          pending.reject(limit.signal.reason);
          return;
        }
        limit.signal.addEventListener('abort', onAbort, { once: true });
      } else if (timeout !== undefined && Number.isFinite(timeout)) {
        timer = setTimeout(
          () => {
            this.forget(pending);
            pending.reject(
              new TimeoutError(ErrorCodes.TIMEOUT, `request timed out after ${timeout} ms`, { details: { timeout } }),
            );
          },
          Math.max(0, timeout),
        );
      }
      this.unsent.push(pending);
      this.flush();
    });
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      const error = new ClosedError(ErrorCodes.CLOSED, 'request client closed');
      this.slots.close(error);
      for (const p of this.unsent.splice(0)) p.reject(error);
      for (const p of [...this.inflight.values()]) p.reject(error);
      this.inflight.clear();
      await this.redialer?.stop();
      this.closedDeferred.resolve();
    }
    await this.closed;
  }

  private forget(pending: Pending): void {
    const i = this.unsent.indexOf(pending);
    if (i >= 0) this.unsent.splice(i, 1);
    if (pending.mid !== undefined && this.inflight.get(pending.mid) === pending) this.inflight.delete(pending.mid);
  }

  private nextMid(): number {
    do {
      this.mid = this.mid >= MAX_MID ? 1 : this.mid + 1;
    } while (this.inflight.has(this.mid));
    return this.mid;
  }

  private flush(): void {
    const connection = this.connection;
    if (!connection || this.waitingDrain) return;
    while (this.unsent.length > 0) {
      if (connection.needsDrain) {
        this.waitingDrain = true;
        connection.socket.once('drain', () => {
          this.waitingDrain = false;
          this.flush();
        });
        return;
      }
      const pending = this.unsent.shift()!;
      const mid = this.nextMid();
      pending.mid = mid;
      this.inflight.set(mid, pending);
      connection.corkThisTick();
      connection.write(joinFrame(packb({ mid }), pending.body));
    }
  }

  private onReply(frame: Frame): void {
    const mid = frame.head.mid;
    const pending = typeof mid === 'number' ? this.inflight.get(mid) : undefined;
    if (!pending) {
      this.options.logger.debug(`Dropping a reply for unknown message id ${String(mid)}`);
      return;
    }
    this.inflight.delete(mid as number);
    pending.resolve(frame.body);
  }

  private async serve(connection: FramedConnection) {
    this.connection = connection;
    this.mid = 0;
    this.waitingDrain = false;
    this.flush();
    const reason = await connection.closed;
    this.connection = undefined;
    if (this.inflight.size > 0) {
      const lost = new TransportError(ErrorCodes.CONNECTION_LOST, 'connection lost with the request in flight', {
        cause: reason,
      });
      for (const p of [...this.inflight.values()]) p.reject(lost);
      this.inflight.clear();
    }
    if (reason) this.options.logger.debug(`Request connection closed: ${reason.message}`);
    return reason;
  }
}
