import {
  ClosedError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  TypedEmitter,
  deadline,
  dumps,
  loads,
  type Address,
  type HostAddress,
  type BoundedQueue,
  type PresenceHandler,
  type PublishListenOptions,
  type PublishOptions,
  type PublishServer,
  type PublishServerEvents,
} from '@brine/contracts';
import { MemoryHub } from './hub.js';
import { Link } from './link.js';
import { TRANSPORT_NAME, type ResolvedMemoryOptions } from './options.js';

export const publishHub = new MemoryHub<MemoryPublishServer>();

/** A subscriber's side of the link: its inbox is the client's receive queue, bounded by its high-water mark. */
export interface Subscription {
  link: Link;
  inbox: BoundedQueue<Uint8Array>;
  id: string | undefined;
}

/** Publishes to subscribers in the same process, with the contract's slow-subscriber policy. */
export class MemoryPublishServer implements PublishServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<PublishServerEvents>();
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private bound: HostAddress | undefined;
  private presence: PresenceHandler | undefined;
  private readonly subscriptions = new Set<Subscription>();
  private isClosed = false;

  constructor(private readonly options: ResolvedMemoryOptions) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get address(): Address | undefined {
    return this.bound;
  }

  get subscriberCount(): number {
    return this.subscriptions.size;
  }

  async listen(address: Address, options: PublishListenOptions = {}): Promise<Address> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    this.bound = publishHub.bind(address, this);
    this.presence = options.presence;
    return this.bound;
  }

  attach(inbox: BoundedQueue<Uint8Array>): Subscription {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    const subscription: Subscription = { link: new Link(TRANSPORT_NAME), inbox, id: undefined };
    this.subscriptions.add(subscription);
    this.events.emit('connection', subscription.link.peer);
    void subscription.link.down.then((reason) => {
      this.subscriptions.delete(subscription);
      this.events.emit('disconnect', subscription.link.peer, reason);
    });
    return subscription;
  }

  /** The subscriber's presence message: the handler turns it into a verified minion id (or ignores it). */
  async identify(subscription: Subscription, message: unknown): Promise<void> {
    if (!this.presence || !subscription.link.up) return;
    const id = await this.presence(loads(dumps(message)), subscription.link.peer);
    if (id === undefined || !subscription.link.up) return;
    subscription.id = id;
    this.events.emit('presence', subscription.link.peer, id);
  }

  async publish(payload: Uint8Array, options: PublishOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish server is closed');
    if (payload.length > this.options.maxMessageSize) {
      throw new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `publish of ${payload.length} bytes is over the limit`);
    }
    const { topics } = options;
    const targets = [...this.subscriptions].filter(
      (s) => topics === undefined || (s.id !== undefined && topics.includes(s.id)),
    );
    await Promise.all(targets.map((s) => this.deliver(s, payload.slice(), options.signal)));
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      if (this.bound) publishHub.unbind(this.bound, this);
      for (const s of [...this.subscriptions])
        s.link.close(new ClosedError(ErrorCodes.CLOSED, 'publish server closed'));
      this.resolveClosed();
    }
    return this.closed;
  }

  private async deliver(s: Subscription, bytes: Uint8Array, signal: AbortSignal | undefined): Promise<void> {
    if (!s.link.up || s.inbox.isClosed) return;
    if (s.inbox.tryPush(bytes)) return;
    const wait = deadline({ timeout: this.options.drainTimeout, ...(signal ? { signal } : {}) }, undefined, 'drain');
    try {
      await s.inbox.push(bytes, wait.signal);
    } catch {
      if (signal?.aborted) return;
      if (this.options.slowSubscriber === 'drop') {
        this.events.emit('drop', s.link.peer, 1);
        return;
      }
      const error = new TransportError(ErrorCodes.SLOW_SUBSCRIBER, `subscriber ${s.link.peer.id} is too slow`);
      this.options.logger.warning(error.message, error);
      s.link.close(error);
    } finally {
      wait.dispose();
    }
  }
}
