import type { Redialer } from '@brine/contracts';
import {
  assertSameTarget,
  BoundedQueue,
  ClosedError,
  ErrorCodes,
  formatAddress,
  ProtocolError,
  toBrineError,
  bytes,
  packb,
  TypedEmitter,
  type Address,
  type ClientEvents,
  type PublishClient,
  type PublishConnectOptions,
} from '@brine/contracts';
import type { FramedConnection } from './connection.js';
import { encodeFrame, type Frame } from './framing.js';
import type { ResolvedTcpOptions } from './options.js';
import { clientRedialer } from './client-redialer.js';

/**
 * The payload bytes of a publish frame's body. Salt 3007+ sends `bin(dumps(payload))`; Salt 3006
 * sends the payload map itself (`frame_msg(payload)`, its minion's `_decode_messages` takes a
 * dict as is), which is packed again here so the channel sees the same bytes either way. Salt
 * decoding turns bin that happens to be valid UTF-8 into str; the bytes are the same.
 */
export function publishBytes(body: unknown): Uint8Array | undefined {
  if (body instanceof Uint8Array || typeof body === 'string') return bytes.asBytes(body);
  if (body !== null && typeof body === 'object' && !Array.isArray(body)) return packb(body);
  return undefined;
}

/**
 * Salt's TCP publish client: receives `{head, body: bin(payload)}` frames (or, from Salt 3006,
 * `{head, body: payload}`) and yields the payload bytes. On every (re)connect it first sends the presence message (Salt's `send_id`), if given.
 */
export class TcpPublishClient implements PublishClient {
  readonly transport = 'tcp';
  readonly events = new TypedEmitter<ClientEvents>();
  private redialer: Redialer<FramedConnection> | undefined;
  private connection: FramedConnection | undefined;
  private readonly queue: BoundedQueue<Uint8Array>;
  private paused = false;
  private isClosed = false;
  private address: Address | undefined;
  private readonly closedDeferred: { promise: Promise<void>; resolve: () => void };

  constructor(private readonly options: ResolvedTcpOptions) {
    this.queue = new BoundedQueue<Uint8Array>(options.highWaterMark);
    let resolve!: () => void;
    this.closedDeferred = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  get closed(): Promise<void> {
    return this.closedDeferred.promise;
  }

  get connected(): boolean {
    return this.connection !== undefined;
  }

  async connect(address: Address, options: PublishConnectOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish client is closed');
    assertSameTarget(this.address && formatAddress(this.address), formatAddress(address));
    if (!this.address) {
      this.address = address;
      this.redialer = undefined;
    }
    const redialer = this.ensureRedialer(options.presence);
    this.options.logger.debug(
      `Connecting the Minion to the Master publish port, using the URI: ${formatAddress(address)}`,
    );
    redialer.start();
    await redialer.waitConnected(options);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    while (true) {
      const message = await this.queue.shift();
      if (message === undefined) return;
      if (this.paused && this.queue.size <= this.options.highWaterMark / 2) {
        this.paused = false;
        this.connection?.resume();
      }
      yield message;
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      this.queue.close(new ClosedError(ErrorCodes.CLOSED, 'publish client closed'));
      this.queue.drain();
      await this.redialer?.stop();
      this.closedDeferred.resolve();
    }
    await this.closed;
  }

  private ensureRedialer(presence: PublishConnectOptions['presence']): Redialer<FramedConnection> {
    if (this.redialer) return this.redialer;
    if (!this.address) throw new ClosedError(ErrorCodes.CLOSED, 'no address');
    this.redialer = clientRedialer({
      address: this.address,
      target: formatAddress(this.address),
      options: this.options,
      events: this.events,
      onFrame: (connection, frame) => this.onPublish(connection, frame),
      opened: async (connection) => {
        if (!presence) return;
        try {
          connection.write(encodeFrame({}, await presence()));
        } catch (error) {
          connection.end();
          throw toBrineError(error, ErrorCodes.BAD_LOAD, 'cannot build the presence message');
        }
      },
      serve: async (connection) => {
        this.connection = connection;
        if (this.paused) connection.pause();
        const reason = await connection.closed;
        this.connection = undefined;
        return reason;
      },
    });
    return this.redialer;
  }

  private onPublish(connection: FramedConnection, frame: Frame): void {
    const payload = publishBytes(frame.body);
    if (!payload) {
      connection.fail(new ProtocolError(ErrorCodes.BAD_FRAME, 'publish frame body is neither bytes nor a map'));
      return;
    }
    if (this.queue.isClosed) return;
    this.queue.force(payload);
    if (!this.paused && this.queue.size >= this.options.highWaterMark) {
      this.paused = true;
      connection.pause();
    }
  }
}
