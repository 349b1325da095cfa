import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type WebSocket from 'ws';
import {
  StateError,
  BrineError,
  ClosedError,
  deadline,
  formatAddress,
  ErrorCodes,
  RateLimitedLog,
  ProtocolError,
  raceSignal,
  TypedEmitter,
  throwIfAborted,
  type Address,
  type PeerInfo,
  type PresenceHandler,
  type PublishListenOptions,
  type PublishOptions,
  type PublishServer,
  type PublishServerEvents,
} from '@brine/contracts';
import { CloseCodes, TRANSPORT_NAME } from '../constants.js';
import { decodeMessage, encodePublish } from '../frames.js';
import type { ResolvedWsOptions } from '../options.js';
import { closeGracefully } from './close.js';
import { fromNodeError } from './errors.js';
import { Flusher } from './flusher.js';
import { watchMessageDeadline } from './inbound-deadline.js';
import { UpgradeListener } from './listener.js';
import { Liveness } from './liveness.js';
import { PeerIds } from './peer.js';
import { Subscriber } from './subscriber.js';

/** A snapshot of one subscriber, for metrics. */
export interface SubscriberStats {
  peer: PeerInfo;
  minionId: string | undefined;
  /** Bytes buffered in this process for the subscriber now, and the most ever. */
  bufferedAmount: number;
  maxBufferedAmount: number;
  /** Messages waiting for room. */
  queued: number;
  dropped: number;
  lagging: boolean;
}

/**
 * Publish server (Salt's ws `PublishServer`): any path upgrades; each publish is one binary message
 * holding `packb(payload)` (msgpack bin around the serialized payload, exactly as Salt).
 *
 * Targeting goes beyond Salt but stays compatible: a subscriber may send a presence message (one
 * binary message, `dumps(message)`), which the `presence` handler from `listen` turns into a minion
 * id. Identified subscribers get broadcasts and the publishes whose `topics` name them; subscribers
 * that never identified (a real salt-minion) get everything, as Salt's ws publisher does.
 * Slow subscribers: see `Subscriber` (src/node/subscriber.ts).
 */
export class WsPublishServer implements PublishServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<PublishServerEvents>();
  readonly closed: Promise<void>;
  address: Address | undefined;

  private listener: UpgradeListener | undefined;
  private readonly liveness: Liveness;
  private readonly subscribers = new Map<WebSocket, Subscriber>();
  private readonly peers = new PeerIds();
  private readonly flusher = new Flusher();
  private closing: Promise<void> | undefined;
  private resolveClosed!: () => void;

  constructor(private readonly options: ResolvedWsOptions) {
    this.liveness = new Liveness(options.heartbeatInterval, options.heartbeatTimeout);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  async listen(address: Address, options: PublishListenOptions = {}): Promise<Address> {
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    if (this.listener) throw new StateError(ErrorCodes.INVALID_STATE, 'publish server is already listening');
    throwIfAborted(options.signal);
    const { authMaxMessageSize, maxMessageSize } = this.options;
    const refusals = new RateLimitedLog(this.options.logger);
    const listener = new UpgradeListener(
      this.options,
      {
        connection: (ws, req, socket) => this.accept(ws, req, socket, options.presence),
        peerError: (error) => this.report(error, undefined),
        refused: (error) => {
          refusals.warning(error.code, `ws publish server: ${error.message}`, error);
          this.events.emit('error', error, undefined);
        },
      },
      {
        // A subscriber only ever sends its presence message: the small pre-authentication limit applies.
        maxPayload: authMaxMessageSize > 0 ? Math.min(authMaxMessageSize, maxMessageSize) : maxMessageSize,
        countUnauthenticated: false,
      },
    );
    this.listener = listener;
    try {
      this.address = await listener.listen(address);
    } catch (error) {
      this.listener = undefined;
      throw error;
    }
    this.options.logger.debug(`ws publish server listening on ${formatAddress(this.address, 'ws')}`);
    return this.address;
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (this.closing) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    throwIfAborted(options.signal);
    const encoded = encodePublish(payload);
    if (encoded.length > this.options.maxMessageSize) {
      throw new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `publish of ${encoded.length} bytes is over maxMessageSize (${this.options.maxMessageSize})`,
        { details: { size: encoded.length, maxMessageSize: this.options.maxMessageSize } },
      );
    }
    // One Buffer view shared by every subscriber (ws would otherwise wrap it once per send).
    const frame = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    const waits: Array<Promise<void>> = [];
    for (const subscriber of this.subscribers.values()) {
      if (!subscriber.wants(options.topics)) continue;
      const wait = subscriber.offer(frame);
      if (wait) waits.push(wait);
    }
    if (waits.length === 0) return;
    const dl = deadline(options, undefined, 'publish');
    try {
      await raceSignal(Promise.all(waits), dl.signal);
    } finally {
      dl.dispose();
    }
  }

  /** Per-subscriber buffering and drop counts. */
  stats(): SubscriberStats[] {
    return [...this.subscribers.values()].map((s) => ({
      peer: s.peer,
      minionId: s.minionId,
      bufferedAmount: s.bufferedAmount,
      maxBufferedAmount: s.maxBufferedSeen,
      queued: s.queued,
      dropped: s.dropped,
      lagging: s.isLagging,
    }));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const listener = this.listener;
      if (listener) {
        await listener.shutdown(async () => {
          this.flusher.flush();
          const closing = [...this.subscribers.values()].map((s) => {
            s.closed();
            return closeGracefully(s.ws, CloseCodes.GOING_AWAY, 'server closing', this.options.closeTimeout);
          });
          await Promise.all(closing);
        });
      }
      this.liveness.stop();
      this.resolveClosed();
    })();
    return this.closing;
  }

  private accept(ws: WebSocket, req: IncomingMessage, socket: Duplex, presence: PresenceHandler | undefined): void {
    const peer = this.peers.peerOf(req);
    let error: BrineError | undefined;
    const subscriber = new Subscriber(
      ws,
      socket,
      peer,
      {
        highWaterMark: this.options.highWaterMark,
        maxBufferedAmount: this.options.maxBufferedAmount,
        drainTimeout: this.options.drainTimeout,
        slowSubscriber: this.options.slowSubscriber,
      },
      {
        slow: (_s, e) => {
          error ??= e;
          this.report(e, peer);
        },
        drop: (_s, count) => this.events.emit('drop', peer, count),
      },
      this.flusher,
    );
    ws.on('error', (e) => {
      error ??= fromNodeError(e, ErrorCodes.CONNECTION_LOST, `publish connection ${peer.id}`);
      if (error.code !== ErrorCodes.CONNECTION_LOST) {
        this.report(error, peer);
        ws.terminate(); // bad input: dropped at once, not after a close handshake
      }
    });
    ws.once('close', () => {
      this.subscribers.delete(ws);
      subscriber.closed();
      this.events.emit('disconnect', peer, error);
    });
    ws.on('message', (data, isBinary) => this.onMessage(subscriber, data as Buffer, isBinary, presence));
    watchMessageDeadline(ws, socket, this.options.messageDeadline, (e) => {
      error ??= e;
      this.report(e, peer);
      ws.terminate();
    });
    this.liveness.watch(ws, (e) => {
      error ??= e;
      this.report(e, peer);
      ws.terminate();
    });
    this.subscribers.set(ws, subscriber);
    this.events.emit('connection', peer);
  }

  /**
   * Salt's ws publisher ignores what subscribers send. Brine reads one thing: a binary presence
   * message, handed to the `presence` handler (one at a time per connection; others meanwhile are ignored).
   */
  private onMessage(
    subscriber: Subscriber,
    data: Buffer,
    isBinary: boolean,
    presence: PresenceHandler | undefined,
  ): void {
    if (!isBinary || !presence) return;
    if (subscriber.verifyingPresence) return;
    let message: unknown;
    try {
      message = decodeMessage(data);
    } catch (error) {
      this.report(error as BrineError, subscriber.peer);
      return;
    }
    subscriber.verifyingPresence = true;
    Promise.resolve()
      .then(() => presence(message, subscriber.peer))
      .then(
        (minionId) => {
          if (typeof minionId !== 'string' || minionId.length === 0) return;
          if (!this.subscribers.has(subscriber.ws)) return;
          subscriber.minionId = minionId;
          this.events.emit('presence', subscriber.peer, minionId);
        },
        (error: unknown) => {
          this.report(new BrineError(ErrorCodes.HANDLER, 'presence handler failed', { cause: error }), subscriber.peer);
        },
      )
      .finally(() => {
        subscriber.verifyingPresence = false;
      });
  }

  private report(error: BrineError, peer: PeerInfo | undefined): void {
    this.options.logger.warning(`ws publish server: ${error.message}${peer ? ` (peer ${peer.id})` : ''}`, error);
    this.events.emit('error', error, peer);
  }
}
