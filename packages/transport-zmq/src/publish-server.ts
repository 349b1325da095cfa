import {
  StateError,
  ClosedError,
  deadline,
  ErrorCodes,
  formatAddress,
  ProtocolError,
  throwIfAborted,
  TypedEmitter,
  type Address,
  type BrineError,
  type PeerInfo,
  type PublishListenOptions,
  type PublishOptions,
  type PublishServer,
  type PublishServerEvents,
} from '@brine/contracts';
import { XPublisher, type MessageLike } from 'zeromq';
import { publishWithBackpressure } from './backpressure.js';
import { bindSocket } from './bind.js';
import { needsIpv6 } from './endpoint.js';
import { handshakeError, isHangup, socketError } from './errors.js';
import { Lifecycle } from './lifecycle.js';
import type { ResolvedZmqOptions } from './options.js';
import { TRANSPORT_NAME } from './peer.js';
import { Serial } from './serial.js';
import { commonSocketOptions } from './sockets.js';
import { SubscriptionTracker } from './subscriptions.js';
import { BROADCAST_TOPIC, zmqTopic } from './topic.js';

interface Outgoing {
  frames: MessageLike[];
  /** Who misses it if it has to be dropped (known for targeted publishes only). */
  target: string | undefined;
}

/**
 * Salt's master publisher: an XPUB (a PUB that also reports subscriptions) bound on
 * `publish_port`, with `SNDHWM = RCVHWM = pub_hwm`. Without `zmq_filtering` each publish is one
 * frame that every subscriber gets; with it, a targeted publish goes out once per minion as
 * `[sha1(id).hexdigest(), payload]` and an untargeted one as `[b"broadcast", payload]`.
 *
 * At the high-water mark Salt's PUB drops silently; this one does not: see
 * {@link publishWithBackpressure}. The contract's `'disconnect'` policy does not exist here —
 * libzmq cannot cut off one subscriber of a PUB/XPUB — so a subscriber still full after
 * `drainTimeout` misses the message (`drop` event) and stays connected.
 */
export class ZmqPublishServer implements PublishServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<PublishServerEvents>();
  private socket: XPublisher | undefined;
  private bound: Address | undefined;
  private loop: Promise<void> | undefined;
  private readonly tracker: SubscriptionTracker;
  private readonly sends = new Serial();
  private readonly lifecycle = new Lifecycle();

  constructor(private readonly options: ResolvedZmqOptions) {
    this.tracker = new SubscriptionTracker(options.zmqFiltering, this.events, options.logger);
  }

  get address(): Address | undefined {
    return this.bound;
  }

  get subscriberCount(): number {
    return this.tracker.count;
  }

  get closed(): Promise<void> {
    return this.lifecycle.closed;
  }

  /** `options.presence` is not used: a ZeroMQ subscriber cannot send a presence message (Salt's zeromq has none either). */
  async listen(address: Address, options: PublishListenOptions = {}): Promise<Address> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    if (this.socket) throw new StateError(ErrorCodes.INVALID_STATE, 'publish server is already listening');
    throwIfAborted(options.signal);
    const { highWaterMark } = this.options;
    const socket = new XPublisher({
      ...commonSocketOptions(this.options, { linger: -1, server: true, ipv6: needsIpv6(address) }),
      sendHighWaterMark: highWaterMark,
      receiveHighWaterMark: highWaterMark,
      noDrop: true,
    });
    socket.verbosity = 'allSubsUnsubs';
    this.socket = socket;
    this.watch(socket);
    try {
      this.bound = await bindSocket(socket, address, options.signal);
    } catch (error) {
      this.socket = undefined;
      socket.close();
      throw error;
    }
    this.options.logger.info(`Starting the Salt Publisher on ${formatAddress(this.bound)}`);
    this.loop = this.receive(socket);
    return this.bound;
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (this.lifecycle.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    const socket = this.socket;
    if (!socket) throw new StateError(ErrorCodes.INVALID_STATE, 'publish server is not listening');
    if (payload.length > this.options.maxMessageSize) {
      throw new ProtocolError(
        ErrorCodes.MESSAGE_TOO_LARGE,
        `publish of ${payload.length} bytes exceeds maxMessageSize ${this.options.maxMessageSize}`,
        { details: { size: payload.length, maxMessageSize: this.options.maxMessageSize } },
      );
    }
    const outgoing = this.messagesFor(payload, options.topics);
    const { drainTimeout, highWaterMark, logger } = this.options;
    const onFull = (): void =>
      logger.debug(`A subscriber is at the high-water mark (${highWaterMark}); publish waits up to ${drainTimeout} ms`);
    const limit = options.signal || options.timeout !== undefined ? deadline(options, undefined, 'publish') : undefined;
    try {
      await this.sends.run(async () => {
        for (const message of outgoing) {
          const outcome = await publishWithBackpressure(socket, message.frames, drainTimeout, limit?.signal, onFull);
          if (outcome === 'dropped-for-full') this.dropped(message.target);
        }
      });
    } finally {
      limit?.dispose();
    }
  }

  close(): Promise<void> {
    return this.lifecycle.close(async () => {
      this.socket?.close();
      await this.loop;
    });
  }

  /** Salt's `publish_payload`: one frame, or `[topic, payload]` per target under `zmq_filtering`. */
  private messagesFor(payload: Uint8Array, topics: readonly string[] | undefined): Outgoing[] {
    if (!this.options.zmqFiltering) return [{ frames: [payload], target: undefined }];
    if (topics === undefined) return [{ frames: [BROADCAST_TOPIC, payload], target: undefined }];
    return topics.map((id) => {
      const topic = zmqTopic(id);
      return { frames: [topic, payload], target: topic };
    });
  }

  private dropped(topic: string | undefined): void {
    const peer: PeerInfo | undefined = topic === undefined ? undefined : this.tracker.peerForTopic(topic);
    this.options.logger.warning(
      `A subscriber stayed at the high-water mark (${this.options.highWaterMark}) for ${this.options.drainTimeout} ms; ` +
        'it misses this publish',
    );
    this.events.emit('drop', peer, 1);
  }

  private watch(socket: XPublisher): void {
    const onHandshakeError = (event: Parameters<typeof handshakeError>[0]): void => this.report(handshakeError(event));
    socket.events.on('handshake:error:protocol', onHandshakeError);
    socket.events.on('handshake:error:auth', onHandshakeError);
    socket.events.on('handshake:error:other', onHandshakeError);
    socket.events.on('accept:error', (event) =>
      this.report(socketError(event.error, `accepting a connection on ${event.address}`, false)),
    );
  }

  private async receive(socket: XPublisher): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch (error) {
        if (!socket.closed && !this.lifecycle.isClosed) {
          this.options.logger.error('Publish server stopped receiving', socketError(error, 'receive', false));
        }
        return;
      }
      const error = this.tracker.onMessage(frames);
      if (error) this.report(error);
    }
  }

  private report(error: BrineError): void {
    if (error.code === ErrorCodes.IDLE_TIMEOUT) this.options.logger.info('Dropped an idle subscriber', error);
    else if (isHangup(error)) this.options.logger.debug(error.message);
    else this.options.logger.error('Bad input on the publish port', error);
    this.events.emit('error', error, undefined);
  }
}
