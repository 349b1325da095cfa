import {
  BoundedQueue,
  ClosedError,
  ErrorCodes,
  ReconnectPolicy,
  Redialer,
  TransportError,
  TypedEmitter,
  assertSameTarget,
  type Address,
  type ClientEvents,
  type PublishClient,
  type PublishConnectOptions,
} from '@brine/contracts';
import { hostAddress, keyOf } from './hub.js';
import { TRANSPORT_NAME, type ResolvedMemoryOptions } from './options.js';
import { publishHub, type Subscription } from './publish-server.js';

/** Receives publishes from a server in the same process; the iteration ends when the client closes. */
export class MemoryPublishClient implements PublishClient {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ClientEvents>();
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private path: string | undefined;
  private redialer: Redialer<Subscription> | undefined;
  private readonly inbox: BoundedQueue<Uint8Array>;
  private isClosed = false;

  constructor(private readonly options: ResolvedMemoryOptions) {
    this.inbox = new BoundedQueue(options.highWaterMark);
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get connected(): boolean {
    return this.redialer?.connected ?? false;
  }

  async connect(address: Address, options: PublishConnectOptions = {}): Promise<void> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'publish client is closed');
    const target = hostAddress(address);
    const path = keyOf(target.host, target.port);
    assertSameTarget(this.path, path);
    if (!this.redialer) {
      this.path = path;
      const { presence } = options;
      this.redialer = new Redialer<Subscription>({
        target: path,
        events: this.events,
        logger: this.options.logger,
        policy: new ReconnectPolicy(this.options.reconnect, this.options.logger),
        dial: async () => {
          const server = publishHub.find(target);
          if (!server) throw new TransportError(ErrorCodes.UNREACHABLE, `nothing publishes on ${path}`);
          const subscription = server.attach(this.inbox);
          if (presence) {
            try {
              await server.identify(subscription, await presence());
            } catch (error) {
              subscription.link.close();
              throw error;
            }
          }
          return subscription;
        },
        serve: (subscription) => subscription.link.down,
        hangUp: (subscription) => subscription.link.close(),
      });
      this.redialer.start();
    }
    await this.redialer.waitConnected(options);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    return {
      next: async () => {
        const value = await this.inbox.shift();
        return value === undefined ? { done: true, value: undefined } : { done: false, value };
      },
      return: async () => ({ done: true, value: undefined }),
    };
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      this.inbox.end();
      await this.redialer?.stop();
      this.resolveClosed();
    }
    return this.closed;
  }
}
