import type { ErrorCode } from './codes.js';

/** The class each family of codes is raised as; `brineError(code, …)` builds it. */
export type ErrorClassName =
  | 'BrineError'
  | 'AbortError'
  | 'TimeoutError'
  | 'ClosedError'
  | 'StateError'
  | 'TransportError'
  | 'ProtocolError'
  | 'AuthError'
  | 'CryptoError'
  | 'KeyStoreError'
  | 'ConfigError';

export interface ErrorCatalogueEntry {
  readonly class: ErrorClassName;
  /** When it is raised, for docs/errors.md (generated from this table). */
  readonly when: string;
}

/**
 * Every code, the one class it is raised as, and when. docs/errors.md is generated from this
 * table (`pnpm run docs:errors`) and a test fails when either drifts.
 */
export const ERROR_CATALOGUE = {
  ERR_ABORTED: { class: 'AbortError', when: "the caller's `AbortSignal` aborted the operation" },
  ERR_TIMEOUT: {
    class: 'TimeoutError',
    when: "the operation's `timeout` expired (a request without reply, a connect that never succeeded — its `cause` is the last connection error)",
  },
  ERR_CLOSED: { class: 'ClosedError', when: 'the client/server/channel was closed before or while the operation ran' },
  ERR_CONNECTION_LOST: {
    class: 'TransportError',
    when: 'the connection dropped with the request in flight (queued requests are resent after the reconnect; in-flight ones are not, to avoid running them twice)',
  },
  ERR_UNREACHABLE: {
    class: 'TransportError',
    when: 'the peer refused or could not be reached (ECONNREFUSED, EHOSTUNREACH, DNS)',
  },
  ERR_ADDRESS_IN_USE: {
    class: 'TransportError',
    when: 'a server was asked to listen on an address another socket holds (EADDRINUSE)',
  },
  ERR_QUEUE_FULL: {
    class: 'TransportError',
    when: 'a queue configured to reject (rather than wait) is at its high-water mark',
  },
  ERR_SLOW_SUBSCRIBER: {
    class: 'TransportError',
    when: 'a subscriber stayed at the high-water mark past the drain timeout and was cut off',
  },
  ERR_PEER_DEAD: { class: 'TransportError', when: 'heartbeats (ZMTP PING, WebSocket ping) went unanswered' },
  ERR_IDLE_TIMEOUT: {
    class: 'ProtocolError',
    when: 'a peer connected and sent nothing for `idleTimeout` (a started message is bounded by `messageDeadline`)',
  },
  ERR_MESSAGE_DEADLINE: {
    class: 'ProtocolError',
    when: 'a peer did not finish a message within `messageDeadline` (default 30 s) of its first byte; the connection is dropped',
  },
  ERR_UNAUTHENTICATED_TIMEOUT: {
    class: 'ProtocolError',
    when: 'a connection did not authenticate within `unauthenticatedTimeout` (default 10 s); dropped',
  },
  ERR_OVER_BUDGET: {
    class: 'TransportError',
    when: "the server's `inboundBudget` (bytes of partially received messages, all connections) is spent: the connection starting a new message is dropped",
  },
  ERR_TOO_MANY_CONNECTIONS: {
    class: 'TransportError',
    when: 'a listener is at `maxConnections` / `maxUnauthenticatedConnections`: the new connection is closed at once (counted, logged rate-limited)',
  },
  ERR_TOO_MANY_REFUSALS: {
    class: 'TransportError',
    when: 'a connection that has not authenticated had more requests refused than `maxUnauthenticatedRefusals` (default 8): it is closed after the reply (tcp, ws)',
  },
  ERR_SLOW_READER: {
    class: 'TransportError',
    when: 'a peer stayed over `maxOutboundBuffer` (it does not read its replies) for `drainTimeout` and was dropped; on zeromq, a reply to a peer whose queue is full was dropped',
  },
  ERR_TLS: { class: 'TransportError', when: 'TLS handshake or certificate verification failed' },
  ERR_INVALID_ARGUMENT: { class: 'ConfigError', when: 'a bad argument to an API call' },
  ERR_INVALID_STATE: {
    class: 'StateError',
    when: "an operation that the object's state does not allow (listen twice, start twice)",
  },
  ERR_UNKNOWN_JOB: {
    class: 'StateError',
    when: 'a jid the job tracker does not hold (never published, collected, or expired)',
  },
  ERR_JOB_LIMIT: {
    class: 'StateError',
    when: 'the job tracker holds `max_jobs` unfinished jobs; `publish` refuses a new one',
  },
  ERR_UNKNOWN_TRANSPORT: { class: 'ConfigError', when: '`transport:` names a transport that is not registered' },
  ERR_HANDLER: { class: 'BrineError', when: 'a request handler (or minion function) threw; the server keeps serving' },
  ERR_MESSAGE_TOO_LARGE: {
    class: 'ProtocolError',
    when: 'a frame over `maxMessageSize`, or over `authMaxMessageSize` (default 16 KiB) from a connection not yet authenticated (refused as soon as its declared length is known)',
  },
  ERR_DECODE: { class: 'ProtocolError', when: 'malformed msgpack (bad type byte, truncated value, trailing bytes)' },
  ERR_ENCODE: { class: 'ProtocolError', when: 'a value that cannot be encoded (function, symbol, cycle)' },
  ERR_BAD_FRAME: {
    class: 'ProtocolError',
    when: 'well-formed msgpack of the wrong shape (a TCP frame without `head`, a ZeroMQ message with the wrong frame count, a WebSocket text frame)',
  },
  ERR_BAD_LOAD: {
    class: 'ProtocolError',
    when: 'a request or publish that is not what Salt\'s protocol expects (Salt replies `"bad load"`)',
  },
  ERR_CLEAR_FORBIDDEN: { class: 'AuthError', when: 'a clear request other than `_auth` (CVE-2020-11651)' },
  ERR_UNKNOWN_COMMAND: {
    class: 'ProtocolError',
    when: 'an encrypted command the master does not serve (the minion gets an encrypted `{}`)',
  },
  ERR_VERSION_TOO_OLD: {
    class: 'AuthError',
    when: 'a request below `minimum_auth_version` (no downgrade, CVE-2025-62349)',
  },
  ERR_INVALID_MINION_ID: {
    class: 'AuthError',
    when: 'an id Salt refuses or a path-like id (`../x`, NUL, control characters, empty, > 255 bytes)',
  },
  ERR_AUTHENTICATION: {
    class: 'AuthError',
    when: 'a MAC check failed: wrong or rotated session key, tampering — the minion re-authenticates once',
  },
  ERR_BAD_SIGNATURE: {
    class: 'AuthError',
    when: 'a clear-signed reply, the AES key signature or a publish signature did not verify',
  },
  ERR_NONCE_MISMATCH: { class: 'AuthError', when: "a reply's nonce is not the request's" },
  ERR_REPLAY: { class: 'AuthError', when: 'a replayed request nonce or publish serial' },
  ERR_TOKEN_INVALID: { class: 'AuthError', when: 'a `tok` that does not prove the claimed minion id' },
  ERR_REQUEST_EXPIRED: { class: 'AuthError', when: 'a v3 request older than `request_server_ttl`' },
  ERR_MASTER_KEY_CHANGED: {
    class: 'AuthError',
    when: "the master's key differs from the pinned `minion_master.pub` (retried with back-off, never an exit)",
  },
  ERR_AUTH_REJECTED: { class: 'AuthError', when: "the master rejected or denied this minion's key" },
  ERR_AUTH_DENIED: { class: 'AuthError', when: 'reserved: a denied key (Salt answers it like a rejection)' },
  ERR_AUTH_PENDING: { class: 'AuthError', when: 'the key waits for acceptance (reported on `pending` transitions)' },
  ERR_AUTH_FULL: { class: 'AuthError', when: 'the master is at `max_minions`' },
  ERR_AUTH_FAILED: { class: 'AuthError', when: 'sign-in gave up after `auth_retries` attempts' },
  ERR_UNSUPPORTED_SUITE: {
    class: 'CryptoError',
    when: 'the master does not speak this crypto suite/algorithms (`bad enc algo` / `bad sig algo`)',
  },
  ERR_KEY_FORMAT: { class: 'CryptoError', when: 'a key or session key that cannot be read' },
  ERR_KEY_TOO_SMALL: {
    class: 'CryptoError',
    when: 'an RSA minion key below `min_key_size` (2048) bits, refused at `_auth`',
  },
  ERR_PENDING_LIMIT: {
    class: 'AuthError',
    when: 'a new key was not stored: pending keys at `max_pending_keys` or arriving faster than `pending_key_rate` (the minion is told pending and retries)',
  },
  ERR_CRYPTO: { class: 'CryptoError', when: 'a cryptographic operation failed (decryption of a sealed secret)' },
  ERR_KEY_STORE: {
    class: 'KeyStoreError',
    when: 'the key store refused a path (symlink, FIFO, outside pki_dir) or could not write',
  },
  ERR_CONFIG: { class: 'ConfigError', when: 'invalid configuration (wrong type for a Salt option, bad YAML)' },
  ERR_REMOTE: { class: 'BrineError', when: 'the other side reported an error (control socket replies)' },
} as const satisfies Record<ErrorCode, ErrorCatalogueEntry>;

/** The codes raised as class `C`. */
export type CodesOf<C extends ErrorClassName> = {
  [K in ErrorCode]: (typeof ERROR_CATALOGUE)[K]['class'] extends C ? K : never;
}[ErrorCode];

/** The class name a code is raised as. */
export function errorClassOf(code: ErrorCode): ErrorClassName {
  return ERROR_CATALOGUE[code].class;
}
