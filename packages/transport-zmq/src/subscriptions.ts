import {
  ErrorCodes,
  ProtocolError,
  type Logger,
  type PeerInfo,
  type PublishServerEvents,
  type TypedEmitter,
} from '@brine/contracts';
import { subscriberPeer, topicPeer } from './peer.js';
import { BROADCAST_TOPIC, isMinionTopic } from './topic.js';

/**
 * Counts subscribers from the (un)subscription messages an XPUB socket with
 * `ZMQ_XPUB_VERBOSER` passes up: one per subscription to the "everyone" topic (`b""`, or
 * `b"broadcast"` under `zmq_filtering`), and one unsubscription each when a subscriber leaves
 * (libzmq sends those for a closed connection too). libzmq does not say which connection sent a
 * subscription, so the peers are numbered in order and a leaving subscriber is reported as the
 * oldest one; a minion's sha1 topic is reported as `presence` with the topic as its id (the hash
 * cannot be reversed; compare it with `zmqTopic(id)`).
 */
export class SubscriptionTracker {
  private readonly subscribers: PeerInfo[] = [];
  private readonly topics = new Map<string, number>();
  private serial = 0;
  private warnedMismatch = false;

  constructor(
    private readonly filtering: boolean,
    private readonly events: TypedEmitter<PublishServerEvents>,
    private readonly logger: Logger,
  ) {}

  get count(): number {
    return this.subscribers.length;
  }

  /** The peer to blame for a dropped targeted message. */
  peerForTopic(topic: string): PeerInfo | undefined {
    return this.topics.has(topic) ? topicPeer(topic) : undefined;
  }

  /** Handles one message read from the XPUB socket; returns a ProtocolError when it is not a subscription. */
  onMessage(frames: readonly Buffer[]): ProtocolError | undefined {
    const msg = frames[0];
    if (frames.length !== 1 || !msg || msg.length === 0 || msg[0]! > 1) {
      return new ProtocolError(ErrorCodes.BAD_FRAME, 'a subscriber sent something that is not a (un)subscription', {
        details: { frames: frames.length },
      });
    }
    const subscribe = msg[0] === 1;
    const topic = msg.subarray(1).toString('latin1');
    if (topic === '' || (this.filtering && topic === BROADCAST_TOPIC)) {
      if (subscribe) this.join();
      else this.leave();
    } else if (isMinionTopic(topic)) {
      this.minionTopic(topic, subscribe);
    } else if (topic === BROADCAST_TOPIC && !this.warnedMismatch) {
      this.warnedMismatch = true;
      this.logger.warning('A subscriber uses zmq_filtering but this publisher does not: it will receive nothing');
    } else {
      this.logger.debug(`Subscriber ${subscribe ? 'subscribed to' : 'unsubscribed from'} topic '${topic}'`);
    }
    return undefined;
  }

  private join(): void {
    const peer = subscriberPeer(++this.serial);
    this.subscribers.push(peer);
    this.logger.debug(`Subscriber joined (${this.subscribers.length} now)`);
    this.events.emit('connection', peer);
  }

  private leave(): void {
    const peer = this.subscribers.shift();
    if (!peer) return;
    this.logger.debug(`Subscriber left (${this.subscribers.length} now)`);
    this.events.emit('disconnect', peer, undefined);
  }

  private minionTopic(topic: string, subscribe: boolean): void {
    const n = (this.topics.get(topic) ?? 0) + (subscribe ? 1 : -1);
    if (n > 0) this.topics.set(topic, n);
    else this.topics.delete(topic);
    if (subscribe) this.events.emit('presence', topicPeer(topic), topic);
  }
}
