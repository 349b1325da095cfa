import {
  assertSameTarget,
  BoundedQueue,
  ClosedError,
  ErrorCodes,
  ProtocolError,
  ReconnectPolicy,
  TransportError,
  TypedEmitter,
  type Address,
  type BrineError,
  type ClientEvents,
  type PublishClient,
  type PublishConnectOptions,
} from '@brine/contracts';
import { ConnectionWatch } from './connection-watch.js';
import { needsIpv6, toEndpoint } from './endpoint.js';
import { socketError } from './errors.js';
import { plainBytes } from './frames.js';
import { Lifecycle } from './lifecycle.js';
import type { ResolvedZmqOptions } from './options.js';
import { TRANSPORT_NAME } from './peer.js';
import { commonSocketOptions, IdentifiedSubscriber } from './sockets.js';
import { BROADCAST_TOPIC, zmqTopic } from './topic.js';

/**
 * Salt's minion subscriber: a SUB socket with `ZMQ_IDENTITY` = minion id, subscribed to `b""`
 * or, with `zmq_filtering`, to `b"broadcast"` and `sha1(id).hexdigest()`. Reconnects with Salt's
 * randomized delay, keeps TCP keepalive and ZMTP heartbeats on so a dead master is noticed in
 * seconds. Messages are read with `for await`; the receive queue holds at most `highWaterMark`
 * messages, and while it is full nothing is read from the socket (libzmq's own `ZMQ_RCVHWM`
 * queue then fills, then the TCP window, then the publisher's queue for this subscriber).
 */
export class ZmqPublishClient implements PublishClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  private socket: IdentifiedSubscriber | undefined;
  private watch: ConnectionWatch | undefined;
  private endpoint: string | undefined;
  private ownTopic: string | undefined;
  private loop: Promise<void> | undefined;
  private readonly queue: BoundedQueue<Uint8Array>;
  private readonly lifecycle = new Lifecycle();

  constructor(private readonly options: ResolvedZmqOptions) {
    this.queue = new BoundedQueue<Uint8Array>(options.highWaterMark);
  }

  get connected(): boolean {
    return this.watch?.up ?? false;
  }

  get closed(): Promise<void> {
    return this.lifecycle.closed;
  }

  async connect(address: Address, options: PublishConnectOptions = {}): Promise<void> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish client is closed');
    const endpoint = toEndpoint(address);
    assertSameTarget(this.endpoint, endpoint);
    if (!this.socket) this.open(endpoint, needsIpv6(address), options.identity);
    await this.watch!.waitConnected(options, `connecting to ${endpoint}`);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const value = await this.queue.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      // Leaving a `for await` early stops that loop only; the client keeps receiving.
      return: async () => ({ done: true, value: undefined }),
    };
  }

  close(): Promise<void> {
    return this.lifecycle.close(async () => {
      const error = new ClosedError(ErrorCodes.CLOSED, 'publish client closed');
      this.watch?.fail(error);
      this.queue.drain();
      this.queue.close(error);
      // Salt sets LINGER -1 on its SUB but closes it with close(0): a closed subscriber must not
      // keep reconnecting to re-send its subscriptions (that would block process exit).
      if (this.socket) this.socket.linger = this.options.linger ?? 0;
      this.socket?.close();
      await this.loop;
    });
  }

  private open(endpoint: string, ipv6: boolean, identity: string | undefined): void {
    const { options } = this;
    const { logger } = options;
    const policy = new ReconnectPolicy(options.reconnect, logger);
    const ivl = policy.baseDelay;
    logger.debug(`Setting zmq_reconnect_ivl to '${ivl}ms'`);
    // Salt logs recon_delay + recon_max but sets ZMQ_RECONNECT_IVL_MAX to recon_max alone
    // (salt/transport/zeromq.py, PublishClient._legacy_setup). Mirrored on purpose: libzmq ignores
    // a maximum below the interval, so with the defaults the delay stays at recon_delay.
    logger.debug(`Setting zmq_reconnect_ivl_max to '${ivl + options.reconnect.reconMax}ms'`);
    const socket = new IdentifiedSubscriber({
      ...commonSocketOptions(options, { linger: -1, server: false, ipv6 }),
      reconnectInterval: ivl,
      reconnectMaxInterval: options.reconnect.reconMax,
      receiveHighWaterMark: options.highWaterMark,
    });
    if (identity) {
      socket.setIdentity(identity);
      this.ownTopic = zmqTopic(identity);
    }
    if (options.zmqFiltering) {
      socket.subscribe(BROADCAST_TOPIC);
      if (this.ownTopic !== undefined) {
        socket.subscribe(this.ownTopic);
      } else {
        logger.warning('zmq_filtering is on but the subscriber has no identity: it gets broadcasts only');
      }
    } else {
      socket.subscribe('');
    }
    try {
      this.watch = new ConnectionWatch(socket, endpoint, this.events, logger);
    } catch (error) {
      socket.close();
      throw new TransportError(ErrorCodes.UNREACHABLE, `cannot open a socket for ${endpoint}`, { cause: error });
    }
    logger.debug(`Connecting the Minion to the Master publish port, using the URI: ${endpoint}`);
    try {
      socket.connect(endpoint);
    } catch (error) {
      socket.close();
      throw new TransportError(ErrorCodes.UNREACHABLE, `cannot connect to ${endpoint}`, { cause: error });
    }
    this.socket = socket;
    this.endpoint = endpoint;
    this.loop = this.receive(socket);
  }

  /** Reads while the queue has room; stops reading (and so pushes back on libzmq) while it is full. */
  private async receive(socket: IdentifiedSubscriber): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        await this.queue.waitForRoom();
        frames = await socket.receive();
      } catch (error) {
        if (!socket.closed && !this.lifecycle.isClosed) {
          this.options.logger.error('Publish client stopped receiving', socketError(error, 'receive', false));
        }
        return;
      }
      if (this.lifecycle.isClosed) return; // a message that raced close()
      const payload = this.payloadOf(frames);
      if (payload) this.queue.force(payload);
    }
  }

  /**
   * One frame is the payload; two are `[topic, payload]`, and like Salt's `_decode_messages` the
   * topic is checked again (`broadcast` or this minion's sha1). Anything else is a ProtocolError.
   */
  private payloadOf(frames: Buffer[]): Uint8Array | undefined {
    if (frames.length === 1) return plainBytes(frames[0]!);
    if (frames.length === 2) {
      const topic = frames[0]!.toString('latin1');
      if (topic === BROADCAST_TOPIC || (this.ownTopic !== undefined && topic === this.ownTopic))
        return plainBytes(frames[1]!);
      this.options.logger.debug(`Publish received for not this minion: ${topic}`);
      return undefined;
    }
    this.report(
      new ProtocolError(ErrorCodes.BAD_FRAME, `publish of ${frames.length} frames; expected 1 or 2`, {
        details: { frames: frames.length },
      }),
    );
    return undefined;
  }

  private report(error: BrineError): void {
    this.options.logger.error(`Bad publish from ${this.endpoint}`, error);
    this.events.emit('error', error);
  }
}
