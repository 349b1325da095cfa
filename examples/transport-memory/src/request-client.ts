import {
  ClosedError,
  ErrorCodes,
  ProtocolError,
  ReconnectPolicy,
  Redialer,
  Slots,
  TransportError,
  TypedEmitter,
  assertSameTarget,
  deadline,
  dumps,
  loads,
  raceSignal,
  toBrineError,
  type AbortOptions,
  type Address,
  type ClientEvents,
  type RequestClient,
} from '@brine/contracts';
import { hostAddress, keyOf } from './hub.js';
import type { Link } from './link.js';
import { TRANSPORT_NAME, type ResolvedMemoryOptions } from './options.js';
import { requestHub, type MemoryRequestServer } from './request-server.js';

interface Connection {
  link: Link;
  server: MemoryRequestServer;
}

/** Requests to a server in the same process, with the contract's queueing, limits and reconnects. */
export class MemoryRequestClient implements RequestClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private path: string | undefined;
  private redialer: Redialer<Connection> | undefined;
  private readonly slots: Slots;
  private readonly inFlight = new Set<(error: Error) => void>();
  private isClosed = false;

  constructor(private readonly options: ResolvedMemoryOptions) {
    this.slots = new Slots(options.highWaterMark);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get connected(): boolean {
    return this.redialer?.connected ?? false;
  }

  async connect(address: Address, options: AbortOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed');
    const target = hostAddress(address);
    const path = keyOf(target.host, target.port);
    assertSameTarget(this.path, path);
    if (!this.redialer) {
      this.path = path;
      this.redialer = new Redialer<Connection>({
        target: path,
        events: this.events,
        logger: this.options.logger,
        policy: new ReconnectPolicy(this.options.reconnect, this.options.logger),
        dial: async () => {
          const server = requestHub.find(target);
          if (!server) throw new TransportError(ErrorCodes.UNREACHABLE, `nothing listens on ${path}`);
          return { server, link: server.accept() };
        },
        serve: async ({ link }) => {
          const reason = await link.down;
          this.failInFlight(new TransportError(ErrorCodes.CONNECTION_LOST, 'connection lost', { cause: reason }));
          return reason;
        },
        hangUp: ({ link }) => link.close(),
      });
      this.redialer.start();
    }
    await this.redialer.waitConnected(options);
  }

  async request(message: unknown, options: AbortOptions = {}): Promise<unknown> {
    if (this.isClosed || !this.redialer)
      throw new ClosedError(ErrorCodes.CLOSED, 'request client is closed or not connected');
    let bytes: Uint8Array;
    try {
      bytes = dumps(message);
    } catch (error) {
      throw toBrineError(error, ErrorCodes.ENCODE);
    }
    if (bytes.length > this.options.maxMessageSize) {
      throw new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `request of ${bytes.length} bytes is over the limit`, {
        details: { size: bytes.length, limit: this.options.maxMessageSize },
      });
    }
    const limit = deadline(options, this.options.requestTimeout || undefined, 'request');
    try {
      await this.slots.acquire(limit.signal);
      try {
        // Queued while disconnected, sent once the link is back (the contract's "queued" case).
        const redialer = this.redialer;
        if (!redialer.connection) await redialer.waitConnected({ signal: limit.signal });
        const reply = await this.send(redialer.connection!, bytes, limit.signal);
        return loads(reply);
      } finally {
        this.slots.release();
      }
    } finally {
      limit.dispose();
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      const closed = new ClosedError(ErrorCodes.CLOSED, 'request client closed');
      this.failInFlight(closed);
      this.slots.close(closed);
      await this.redialer?.stop();
      this.resolveClosed();
    }
    return this.closed;
  }

  private send({ server, link }: Connection, bytes: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    let fail!: (error: Error) => void;
    const reply = new Promise<Uint8Array>((resolve, reject) => {
      fail = reject;
      server.deliver(link, bytes).then(resolve, reject);
    });
    this.inFlight.add(fail);
    return raceSignal(reply, signal, () => this.inFlight.delete(fail)).finally(() => this.inFlight.delete(fail));
  }

  private failInFlight(error: Error): void {
    for (const fail of this.inFlight) fail(error);
    this.inFlight.clear();
  }
}
