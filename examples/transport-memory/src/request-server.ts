import {
  ClosedError,
  ErrorCodes,
  ProtocolError,
  TypedEmitter,
  dumps,
  loads,
  toBrineError,
  type Address,
  type HostAddress,
  type BrineError,
  type RequestHandler,
  type RequestServer,
  type ServerEvents,
} from '@brine/contracts';
import { MemoryHub } from './hub.js';
import { Link } from './link.js';
import { TRANSPORT_NAME, type ResolvedMemoryOptions } from './options.js';

export const requestHub = new MemoryHub<MemoryRequestServer>();

/** Serves requests of clients in the same process; each message crosses as msgpack bytes, as on a wire. */
export class MemoryRequestServer implements RequestServer {
  readonly transport = TRANSPORT_NAME;
  readonly events = new TypedEmitter<ServerEvents>();
  readonly closed: Promise<void>;
  private resolveClosed!: () => void;
  private bound: HostAddress | undefined;
  private handler: RequestHandler | undefined;
  private readonly links = new Set<Link>();
  private isClosed = false;

  constructor(private readonly options: ResolvedMemoryOptions) {
    this.closed = new Promise((resolve) => (this.resolveClosed = resolve));
  }

  get address(): Address | undefined {
    return this.bound;
  }

  async listen(address: Address, handler: RequestHandler): Promise<Address> {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    this.bound = requestHub.bind(address, this);
    this.handler = handler;
    return this.bound;
  }

  /** A client dialled in. */
  accept(): Link {
    if (this.isClosed) throw new ClosedError(ErrorCodes.CLOSED, 'request server is closed');
    const link = new Link(TRANSPORT_NAME);
    this.links.add(link);
    this.events.emit('connection', link.peer);
    void link.down.then((reason) => {
      this.links.delete(link);
      this.events.emit('disconnect', link.peer, reason);
    });
    return link;
  }

  /** One request from `link`; resolves with the reply bytes (never, when the handler failed: no reply, as on a wire). */
  async deliver(link: Link, bytes: Uint8Array): Promise<Uint8Array> {
    if (bytes.length > this.options.maxMessageSize) {
      this.refuse(
        link,
        new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, `message of ${bytes.length} bytes is over the limit`, {
          details: { size: bytes.length, limit: this.options.maxMessageSize },
        }),
      );
      return new Promise(() => {});
    }
    let message: unknown;
    try {
      message = loads(bytes);
    } catch (error) {
      this.refuse(link, toBrineError(error, ErrorCodes.DECODE));
      return new Promise(() => {});
    }
    try {
      const reply = await this.handler!(message, { peer: link.peer, signal: link.signal });
      return dumps(reply);
    } catch (error) {
      const e = toBrineError(error, ErrorCodes.HANDLER, 'request handler failed');
      this.options.logger.error('request handler failed; no reply sent', e);
      this.events.emit('error', e, link.peer);
      return new Promise(() => {});
    }
  }

  async close(): Promise<void> {
    if (!this.isClosed) {
      this.isClosed = true;
      if (this.bound) requestHub.unbind(this.bound, this);
      for (const link of [...this.links]) link.close(new ClosedError(ErrorCodes.CLOSED, 'request server closed'));
      this.resolveClosed();
    }
    return this.closed;
  }

  private refuse(link: Link, error: BrineError): void {
    this.options.logger.warning(`dropping ${link.peer.id}: ${error.message}`, error);
    this.events.emit('error', error, link.peer);
    link.close(error);
  }
}
