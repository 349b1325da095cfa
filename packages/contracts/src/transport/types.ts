/**
 * Transport contracts. A transport moves messages and nothing else: it never decrypts, never looks
 * inside a load and knows nothing of auth. Requests travel as msgpack-able values (each transport
 * serializes them with its own Salt wire convention); publishes travel as opaque bytes.
 */
import type { Logger } from '../logger.js';
import type { AbortOptions } from '../util/abort.js';
import type { TypedEmitter } from '../util/emitter.js';
import type { BrineError } from '../errors/index.js';
import type { ReconnectOptions } from './reconnect.js';

export type { AbortOptions };

/** Where a server listens or a client connects. `path` is a local socket (ZeroMQ ipc://, unix socket). */
export type Address = HostAddress | PathAddress;

export interface HostAddress {
  /** IPv4 or IPv6 literal, or a host name. `::` / `0.0.0.0` to listen on all interfaces. */
  host: string;
  /** 0 on a server asks the OS for a free port; `address` then reports the one chosen. */
  port: number;
}

export interface PathAddress {
  path: string;
}

export function isPathAddress(address: Address): address is PathAddress {
  return 'path' in address;
}

/** Formats an address as Salt prints URIs: `tcp://127.0.0.1:4506`, `tcp://[::1]:4506`, `ipc:///tmp/x`. */
export function formatAddress(address: Address, scheme = 'tcp'): string {
  if (isPathAddress(address)) return `ipc://${address.path}`;
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${scheme}://${host}:${address.port}`;
}

/**
 * TLS settings, with Salt's `ssl` option names where Salt has them. Certificate verification is on
 * unless `cert_reqs` is `CERT_NONE`.
 */
export interface TlsOptions {
  /** PEM certificate chain file (server: required; client: for mutual TLS). */
  certfile?: string;
  /** PEM private key file. */
  keyfile?: string;
  /** PEM CA bundle used to verify the peer. Defaults to the system store. */
  ca_certs?: string;
  /** `CERT_REQUIRED` (default on clients), `CERT_OPTIONAL` or `CERT_NONE` (no verification; avoid). */
  cert_reqs?: 'CERT_REQUIRED' | 'CERT_OPTIONAL' | 'CERT_NONE';
  ciphers?: string;
  /** Name to verify the server certificate against (defaults to the host connected to). */
  servername?: string;
  /** In-memory alternatives to the files above. */
  cert?: string | Uint8Array;
  key?: string | Uint8Array;
  ca?: string | Uint8Array | Array<string | Uint8Array>;
}

/** Options every transport understands. Transports add their own on top. */
export interface TransportOptions {
  logger?: Logger;
  /** Largest message accepted or sent, in bytes. Default 64 MiB. Larger incoming frames drop the connection with `ERR_MESSAGE_TOO_LARGE`. */
  maxMessageSize?: number;
  /**
   * High-water mark: the most messages queued per connection (outgoing requests not yet answered, or
   * publishes not yet written to one subscriber). Default 1000 (Salt's `pub_hwm`). See each contract
   * for what happens at the mark.
   */
  highWaterMark?: number;
  /** Salt's reconnect semantics (`recon_default`, `recon_max`, `recon_randomize`). */
  reconnect?: ReconnectOptions;
  /** TLS (tcp and ws). `true` uses defaults (verification on). ZeroMQ refuses it. */
  ssl?: TlsOptions | boolean;
  /** Listen on / prefer IPv6 (Salt's `ipv6`). */
  ipv6?: boolean;
  /** TCP keepalive (Salt's `tcp_keepalive`, default true) and its idle time in seconds (`tcp_keepalive_idle`, default 300). */
  tcpKeepalive?: boolean;
  tcpKeepaliveIdle?: number;
  /** A server drops a connection that sends nothing (or never finishes its handshake) for this long. Default 30 000 ms; 0 disables. */
  idleTimeout?: number;
  /** Clients declare a peer dead after this long without any traffic or heartbeat answer. Default 30 000 ms; 0 disables. */
  heartbeatTimeout?: number;
  /** Interval between heartbeats (ZMTP PING, WebSocket ping, TCP keepalive probes). Default 10 000 ms. */
  heartbeatInterval?: number;
  /** Request clients: timeout in ms of a request whose caller gives none (Salt's `request_channel_timeout`). Default 60 000; 0 disables. */
  requestTimeout?: number;
  /** Publish servers: how long `publish` waits for a full subscriber before `slowSubscriber` applies (Salt's `publish_drain_timeout`). Default 5 000 ms. */
  drainTimeout?: number;
  /**
   * Publish servers: what happens to a subscriber still full after `drainTimeout`. `'disconnect'`
   * (default): it is cut off with `ERR_SLOW_SUBSCRIBER`; `'drop'`: it misses the message. A ZeroMQ
   * PUB socket cannot cut one subscriber off, so the zeromq transport always drops.
   */
  slowSubscriber?: SlowSubscriberPolicy;
  /**
   * Servers: the largest message a connection may send before it is authenticated
   * ({@link RequestContext.authenticate}). Default 16 KiB (a real `_auth` is well under 4 KiB).
   * Salt config name `auth_max_message_size`. 0 treats every connection as authenticated (no
   * separate limit: for servers whose handler never authenticates). A larger declared length is
   * refused with `ERR_MESSAGE_TOO_LARGE` as soon as it is known, and the connection dropped.
   */
  authMaxMessageSize?: number;
  /**
   * Servers: ms a peer has to finish a message once its first byte arrived (absolute, not re-armed
   * by later bytes). Default 30 000. Salt config name `message_deadline` (seconds). 0 disables.
   * Past it the connection is dropped with `ERR_MESSAGE_DEADLINE`.
   */
  messageDeadline?: number;
  /**
   * Servers: ms a connection may stay unauthenticated. Default 10 000. Salt config name
   * `unauthenticated_timeout` (seconds). 0 disables. Past it: `ERR_UNAUTHENTICATED_TIMEOUT`, dropped.
   */
  unauthenticatedTimeout?: number;
  /**
   * Servers: bytes of partially received messages (counted by their declared length) across all
   * connections of one server. Default 256 MiB. Salt config name `inbound_budget`. A connection
   * that starts a message the budget cannot hold is dropped with `ERR_OVER_BUDGET` (logged).
   */
  inboundBudget?: number;
  /**
   * Servers: bytes of replies one connection may have waiting to be written. Default 8 MiB. Salt
   * config name `max_outbound_buffer`. Over it the server stops reading from that peer; if it stays
   * over for `drainTimeout` it is dropped with `ERR_SLOW_READER`.
   */
  maxOutboundBuffer?: number;
  /**
   * Servers: requests one peer may have being handled at once. Default 64. Salt config name
   * `max_requests_in_flight`. Beyond it the server stops reading from that peer until replies go out.
   */
  maxRequestsInFlight?: number;
  /**
   * Servers: open connections per listener. Default 20 000. Salt config name `max_connections`.
   * Beyond it a new connection is closed at once (`ERR_TOO_MANY_CONNECTIONS`, counted, logged rate-limited).
   */
  maxConnections?: number;
  /**
   * Request servers: connections not yet authenticated per listener. Default 1 000. Salt config name
   * `max_unauthenticated_connections`. Beyond it a new connection is closed at once.
   */
  maxUnauthenticatedConnections?: number;
}

/** What a publish server does with a subscriber that stays full past `drainTimeout`. */
export type SlowSubscriberPolicy = 'disconnect' | 'drop';

/** Information about the other end of a connection. */
export interface PeerInfo {
  /** Unique per connection within one server. */
  readonly id: string;
  readonly transport: string;
  readonly remoteAddress?: string;
  readonly remotePort?: number;
}

/** Events a client emits. */
export interface ClientEvents {
  connect: [];
  disconnect: [error: BrineError | undefined];
  /** Something went wrong that the client recovered from (it reconnects); for logs and metrics. */
  error: [error: BrineError];
}

/** Events a server emits. */
export interface ServerEvents {
  connection: [peer: PeerInfo];
  disconnect: [peer: PeerInfo, error: BrineError | undefined];
  /** Bad input from a peer or a failed handler. The server keeps serving everyone else. */
  error: [error: BrineError, peer: PeerInfo | undefined];
}

/** Events a publish server emits. */
export interface PublishServerEvents extends ServerEvents {
  /** A subscriber proved who it is (TCP presence) or subscribed to its topic (ZeroMQ filtering). */
  presence: [peer: PeerInfo, minionId: string];
  /** Messages a subscriber did not get because of the slow-subscriber policy. */
  drop: [peer: PeerInfo | undefined, count: number];
}

export interface Closable {
  /** Idempotent. Rejects pending operations with `ERR_CLOSED` and releases every handle. */
  close(): Promise<void>;
  /** Settles once the object is fully closed, whoever closed it. */
  readonly closed: Promise<void>;
}

/** Minion side of the request channel (Salt's `RequestClient`). */
export interface RequestClient extends Closable {
  readonly transport: string;
  readonly events: TypedEmitter<ClientEvents>;
  readonly connected: boolean;
  /**
   * Starts connecting (and reconnecting, by the reconnect policy, until closed). Resolves once the
   * first connection is up; rejects on timeout/abort with the last connection error as `cause`.
   */
  connect(address: Address, options?: AbortOptions): Promise<void>;
  /**
   * Sends one request and resolves with the reply. Many requests may be in flight. When
   * `highWaterMark` requests are already outstanding the call waits for room (backpressure).
   * A request in flight when its connection drops rejects with `ERR_CONNECTION_LOST` (the
   * caller decides whether to resend); one still queued is sent after the reconnect.
   */
  request(message: unknown, options?: AbortOptions): Promise<unknown>;
}

export interface RequestContext {
  readonly peer: PeerInfo;
  /** Aborts when the peer disconnects or the server closes. */
  readonly signal: AbortSignal;
  /**
   * Marks this connection as authenticated: its peer proved who it is (a successful `_auth`, a
   * request that decrypted and verified). From then on the transport applies `maxMessageSize`
   * instead of `authMaxMessageSize`, stops the `unauthenticatedTimeout` clock and stops counting it
   * against `maxUnauthenticatedConnections`. Idempotent. Optional: a transport without per-connection
   * limits leaves it out (callers use `context.authenticate?.()`).
   */
  authenticate?(): void;
  /**
   * Closes this connection once the reply to the current request is written; nothing more is
   * read from it. For a peer that has earned it (refused again and again before authenticating).
   * `error` is the reason the transport reports and counts. Optional: a transport that cannot
   * close one peer (ZeroMQ's ROUTER) leaves it out.
   */
  drop?(error: BrineError): void;
}

/** What a request server holds and has refused, for metrics and tests (`RequestServer.stats`). */
export interface RequestServerStats {
  /** Open connections (or peers, on ZeroMQ). */
  readonly connections: number;
  readonly unauthenticated: number;
  /** Bytes of partially received messages claimed against `inboundBudget` now, and the highest seen. */
  readonly inboundBytes: number;
  readonly peakInboundBytes: number;
  /** Bytes of replies waiting to be written, all connections, now and the highest seen. */
  readonly outboundBytes: number;
  readonly peakOutboundBytes: number;
  /** Requests being handled now. */
  readonly inFlight: number;
  /** Connections or messages refused, by error code (`ERR_MESSAGE_TOO_LARGE`, `ERR_OVER_BUDGET`...). */
  readonly refused: Readonly<Record<string, number>>;
  /**
   * Bytes received and sent since the server started (on the sockets where the transport has them,
   * framing included; ZeroMQ counts message frames). Optional: older or third-party transports may
   * leave them out.
   */
  readonly receivedBytes?: number;
  readonly sentBytes?: number;
}

/**
 * Handles one request. Called concurrently for many requests. Must not throw; if it does the
 * transport emits `error` (`ERR_HANDLER`), logs it and sends no reply.
 */
export type RequestHandler = (message: unknown, context: RequestContext) => unknown;

/** Master side of the request channel (Salt's `RequestServer`). */
export interface RequestServer extends Closable {
  readonly transport: string;
  readonly events: TypedEmitter<ServerEvents>;
  /** The bound address once listening (with the real port when 0 was asked). */
  readonly address: Address | undefined;
  listen(address: Address, handler: RequestHandler, options?: AbortOptions): Promise<Address>;
  /** What the server holds now (see {@link RequestServerStats}). Optional for third-party transports. */
  stats?(): RequestServerStats;
}

/**
 * Turns the first message a subscriber sends on the publish connection (Salt TCP's `send_id`
 * presence message) into a verified minion id, or undefined to ignore it. Supplied by the channel,
 * which knows the crypto.
 */
export type PresenceHandler = (message: unknown, peer: PeerInfo) => Promise<string | undefined> | string | undefined;

export interface PublishListenOptions extends AbortOptions {
  presence?: PresenceHandler;
}

export interface PublishOptions extends AbortOptions {
  /**
   * Minion ids the message is for. Undefined means everyone (broadcast). Transports that can
   * target (ZeroMQ with filtering, TCP after presence) send only to these; the others send to
   * everyone and the minion decides, as Salt does.
   */
  topics?: readonly string[];
}

/**
 * Master side of the publish channel (Salt's `PublishServer`).
 *
 * Backpressure: `publish` resolves once the message is queued for every current subscriber.
 * Each subscriber has a queue bounded by `highWaterMark`; when one is full `publish` waits for it
 * to drain for up to `drainTimeout` (default 5 000 ms, Salt's `publish_drain_timeout`), then applies
 * `slowSubscriber`: `'disconnect'` (default: the subscriber is cut off with `ERR_SLOW_SUBSCRIBER`,
 * and gets everything after it reconnects) or `'drop'` (that subscriber misses this message; a `drop`
 * event counts it). Either way the other subscribers are never stalled beyond `drainTimeout`.
 */
export interface PublishServer extends Closable {
  readonly transport: string;
  readonly events: TypedEmitter<PublishServerEvents>;
  readonly address: Address | undefined;
  readonly subscriberCount: number;
  listen(address: Address, options?: PublishListenOptions): Promise<Address>;
  publish(payload: Uint8Array, options?: PublishOptions): Promise<void>;
}

export interface PublishConnectOptions extends AbortOptions {
  /** The minion id: ZeroMQ uses it as socket IDENTITY and, with filtering, as its topic. */
  identity?: string;
  /**
   * Builds the presence message sent on every (re)connect, where the transport has one (TCP, and
   * WebSocket for Brine masters). Called again on each reconnect, and always awaited: the channel
   * may sign in again first. If it rejects, the transport drops that connection and redials.
   */
  presence?: () => Promise<unknown>;
}

/**
 * Minion side of the publish channel. Messages are read with `for await`; the iteration ends when
 * the client closes. The receive queue is bounded by `highWaterMark`: when the reader falls behind,
 * the transport stops reading from the socket (the publisher's policy then applies).
 */
export interface PublishClient extends Closable, AsyncIterable<Uint8Array> {
  readonly transport: string;
  readonly events: TypedEmitter<ClientEvents>;
  readonly connected: boolean;
  connect(address: Address, options?: PublishConnectOptions): Promise<void>;
}

/** What a transport package provides. Registered by name in a {@link TransportRegistry}. */
export interface TransportFactory<O extends TransportOptions = TransportOptions> {
  /** `zeromq`, `tcp`, `ws` (Salt's `transport` values), or a third party's own name. */
  readonly name: string;
  /** How logs name it, as Salt does in `AsyncZeroMQReqChannel` (`ZeroMQ`, `TCP`, `WS`). Defaults to `name`. */
  readonly displayName?: string;
  /** Default ports and capabilities the channel may rely on. */
  readonly capabilities: TransportCapabilities;
  /**
   * This transport's own options read from a daemon config by their Salt names (`zmq_filtering`,
   * ...), so core never needs to know them. Merged over the shared options core derives itself.
   */
  optionsFromConfig?(config: Readonly<Record<string, unknown>>): Partial<O>;
  /** The same transport with `options` as its defaults (its `capabilities` reflect them). */
  withOptions(options: O): TransportFactory<O>;
  requestClient(options?: O): RequestClient;
  requestServer(options?: O): RequestServer;
  publishClient(options?: O): PublishClient;
  publishServer(options?: O): PublishServer;
}

export interface TransportCapabilities {
  /** The publish server can send to chosen minions only. */
  readonly targetedPublish: boolean;
  /** The publish client sends a presence message that the server verifies. */
  readonly presence: boolean;
  /** TLS is supported. */
  readonly tls: boolean;
}
