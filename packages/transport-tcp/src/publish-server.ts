import { setMaxListeners } from 'node:events';
import type net from 'node:net';
import {
  StateError,
  ClosedError,
  deadline,
  ErrorCodes,
  formatAddress,
  InboundBudget,
  packb,
  RateLimitedLog,
  ProtocolError,
  Slots,
  throwIfAborted,
  toBrineError,
  TransportError,
  TypedEmitter,
  type Address,
  type BrineError,
  type PeerInfo,
  type PresenceHandler,
  type PublishListenOptions,
  type PublishOptions,
  type PublishServer,
  type PublishServerEvents,
} from '@brine/contracts';
import { FramedConnection } from './connection.js';
import { joinFrame, type Frame } from './framing.js';
import type { ResolvedTcpOptions } from './options.js';
import { peerLabel, peerOf } from './peer.js';
import { closeServer, listen, type Socket } from './socket.js';

interface Subscriber {
  connection: FramedConnection;
  peer: PeerInfo;
  /** Verified minion id from the presence message (Salt's send_id). */
  id: string | undefined;
  /** Messages written to the socket but not yet flushed, bounded by the high-water mark. */
  slots: Slots;
}

const EMPTY_HEAD = packb({});

/**
 * Salt's TCP publish server. Every publish is one frame `{head: {}, body: bin(payload)}`. A minion
 * identifies itself with a presence frame (Salt's `send_id`); targeted publishes go only to the
 * identified subscribers named in `topics` (Salt 3008 behaviour). Backpressure and the
 * slow-subscriber policy follow the PublishServer contract.
 */
export class TcpPublishServer implements PublishServer {
  readonly transport = 'tcp';
  readonly events = new TypedEmitter<PublishServerEvents>();
  private server: net.Server | undefined;
  private bound: Address | undefined;
  private readonly subscribers = new Set<Subscriber>();
  private presence: PresenceHandler | undefined;
  private closing: Promise<void> | undefined;
  private readonly closedDeferred: { promise: Promise<void>; resolve: () => void };
  private readonly budget: InboundBudget;
  private readonly refusals: RateLimitedLog;

  constructor(private readonly options: ResolvedTcpOptions) {
    this.budget = new InboundBudget(options.inboundBudget);
    this.refusals = new RateLimitedLog(options.logger);
    let resolve!: () => void;
    this.closedDeferred = { promise: new Promise<void>((r) => (resolve = r)), resolve };
  }

  get address(): Address | undefined {
    return this.bound;
  }

  get closed(): Promise<void> {
    return this.closedDeferred.promise;
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  async listen(address: Address, options: PublishListenOptions = {}): Promise<Address> {
    throwIfAborted(options.signal);
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    if (this.server) throw new StateError(ErrorCodes.INVALID_STATE, 'publish server is already listening');
    this.presence = options.presence;
    const { server, bound } = await listen(
      address,
      { ssl: this.options.ssl, backlog: this.options.backlog, ipv6: this.options.ipv6 },
      (socket) => this.accept(socket),
    );
    this.server = server;
    this.bound = bound;
    this.options.logger.info(`Starting the Salt Publisher on ${formatAddress(bound)}`);
    return bound;
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    throwIfAborted(options.signal);
    const frame = joinFrame(EMPTY_HEAD, packb(payload));
    if (frame.length > this.options.maxMessageSize) {
      throw new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `publish of ${frame.length} bytes exceeds maxMessageSize`);
    }
    const topics = options.topics ? new Set(options.topics) : undefined;
    let waits: Array<Promise<void>> | undefined;
    let limit: ReturnType<typeof deadline> | undefined;
    for (const sub of this.subscribers) {
      if (topics && (sub.id === undefined || !topics.has(sub.id))) continue;
      if (sub.slots.tryAcquire()) {
        this.write(sub, frame);
        continue;
      }
      if (!limit) {
        limit = deadline(
          { signal: options.signal, timeout: options.timeout ?? this.options.drainTimeout },
          undefined,
          'waiting for a slow subscriber',
        );
        setMaxListeners(0, limit.signal); // one listener per waiting subscriber
      }
      (waits ??= []).push(
        sub.slots.acquire(limit.signal).then(
          () => this.write(sub, frame),
          (error: BrineError) => this.onFull(sub, error),
        ),
      );
    }
    if (waits) {
      try {
        await Promise.all(waits);
      } finally {
        limit?.dispose();
      }
    }
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      for (const sub of this.subscribers) sub.connection.end();
      if (this.server) await closeServer(this.server);
      this.closedDeferred.resolve();
      this.events.removeAllListeners();
    })();
    await this.closing;
  }

  private write(sub: Subscriber, frame: Uint8Array): void {
    if (!sub.connection.open) {
      sub.slots.release();
      return;
    }
    sub.connection.corkThisTick();
    sub.connection.write(frame, () => sub.slots.release());
  }

  private onFull(sub: Subscriber, error: BrineError): void {
    if (error.code === ErrorCodes.CLOSED || !sub.connection.open) return; // gone already
    if (error.code === ErrorCodes.ABORTED) throw error;
    if (this.options.slowSubscriber === 'drop') {
      this.options.logger.warning(`Dropping a publish for slow subscriber ${peerLabel(sub.peer)}`);
      this.events.emit('drop', sub.peer, 1);
      return;
    }
    const slow = new TransportError(
      ErrorCodes.SLOW_SUBSCRIBER,
      `subscriber ${peerLabel(sub.peer)} stayed at the high-water mark for ${this.options.drainTimeout} ms`,
      { cause: error },
    );
    sub.connection.fail(slow);
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    const peer = peerOf(socket, 'pub');
    if (this.subscribers.size >= this.options.maxConnections) {
      socket.destroy();
      const error = new TransportError(
        ErrorCodes.TOO_MANY_CONNECTIONS,
        `${peerLabel(peer)} refused: at maxConnections (${this.options.maxConnections})`,
      );
      this.refusals.warning(error.code, `Refused a subscriber: ${error.message}`, error);
      this.events.emit('error', error, peer);
      return;
    }
    const sub: Subscriber = {
      peer,
      id: undefined,
      slots: new Slots(this.options.highWaterMark),
      connection: undefined as unknown as FramedConnection,
    };
    let identifying = Promise.resolve();
    const { authMaxMessageSize, maxMessageSize } = this.options;
    sub.connection = new FramedConnection(socket, {
      // A subscriber only ever sends its presence message: the small pre-authentication limit applies.
      maxMessageSize: authMaxMessageSize > 0 ? Math.min(authMaxMessageSize, maxMessageSize) : maxMessageSize,
      idleTimeout: this.options.idleTimeout,
      expectFirstFrame: false,
      bounds: {
        authMaxMessageSize: 0,
        messageDeadline: this.options.messageDeadline,
        unauthenticatedTimeout: 0,
        budget: this.budget,
        // Publishes are bounded by the slow-subscriber policy instead.
        maxOutboundBuffer: Number.POSITIVE_INFINITY,
        drainTimeout: 0,
      },
      logger: this.options.logger,
      label: peerLabel(peer),
      onError: (reason) => {
        if (this.closing) return;
        this.options.logger.warning(`Publish subscriber ${peerLabel(peer)} dropped: ${reason.message}`, reason);
        this.events.emit('error', reason, peer);
      },
      onFrame: (frame) => {
        identifying = identifying.then(() => this.identify(sub, frame));
      },
    });
    this.subscribers.add(sub);
    this.options.logger.debug(`Publish subscriber connected: ${peerLabel(peer)}`);
    this.events.emit('connection', peer);
    void sub.connection.closed.then((reason) => {
      this.subscribers.delete(sub);
      sub.slots.close(new ClosedError(ErrorCodes.CLOSED, 'subscriber disconnected'));
      this.events.emit('disconnect', peer, reason);
    });
  }

  private async identify(sub: Subscriber, frame: Frame): Promise<void> {
    if (!this.presence || !sub.connection.open) return;
    try {
      const id = await this.presence(frame.body, sub.peer);
      if (typeof id === 'string' && id.length > 0) {
        sub.id = id;
        this.events.emit('presence', sub.peer, id);
      }
    } catch (error) {
      const typed = toBrineError(error, ErrorCodes.BAD_LOAD, 'presence message refused');
      this.options.logger.warning(`Presence from ${peerLabel(sub.peer)} refused: ${typed.message}`, typed);
      this.events.emit('error', typed, sub.peer);
    }
  }
}
