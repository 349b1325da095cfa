import { Subscriber, type Socket } from 'zeromq';
import type { ResolvedZmqOptions } from './options.js';

/** Socket options every Brine ZeroMQ socket shares (all writable fields of zeromq.js's `Socket`). */
export type CommonSocketOptions = Partial<
  Pick<
    Socket,
    | 'linger'
    | 'tcpKeepalive'
    | 'tcpKeepaliveIdle'
    | 'heartbeatInterval'
    | 'heartbeatTimeout'
    | 'heartbeatTimeToLive'
    | 'maxMessageSize'
    | 'handshakeInterval'
    | 'backlog'
    | 'ipv6'
  >
>;

/** libzmq's `ZMQ_HEARTBEAT_TTL` is carried in deciseconds in a 16-bit field. */
const MAX_HEARTBEAT_TTL = 6_553_500;

export interface SocketRole {
  /** Salt's `ZMQ_LINGER` for this socket (overridden by the `linger` option). */
  linger: number;
  /** A server socket: idleTimeout becomes the handshake deadline, and the listen backlog applies. */
  server: boolean;
  ipv6: boolean;
}

/**
 * Salt's socket options, plus what Brine adds: TCP keepalive (`tcp_keepalive`,
 * `tcp_keepalive_idle`), ZMTP heartbeats (`ZMQ_HEARTBEAT_IVL/TIMEOUT/TTL`) so a dead peer is
 * noticed in seconds rather than after kernel keepalive, `ZMQ_MAXMSGSIZE` (libzmq drops a peer
 * that sends a bigger frame), and on servers `ZMQ_HANDSHAKE_IVL` = idleTimeout and `ZMQ_BACKLOG`.
 */
export function commonSocketOptions(options: ResolvedZmqOptions, role: SocketRole): CommonSocketOptions {
  const out: CommonSocketOptions = {
    linger: options.linger ?? role.linger,
    tcpKeepalive: options.tcpKeepalive ? 1 : 0,
    maxMessageSize: options.maxMessageSize,
  };
  if (options.tcpKeepalive) out.tcpKeepaliveIdle = Math.max(1, Math.round(options.tcpKeepaliveIdle));
  if (options.heartbeatTimeout > 0) {
    out.heartbeatInterval = Math.max(1, Math.round(options.heartbeatInterval));
    out.heartbeatTimeout = Math.max(1, Math.round(options.heartbeatTimeout));
    out.heartbeatTimeToLive = Math.min(MAX_HEARTBEAT_TTL, Math.max(100, Math.round(options.heartbeatTimeout)));
  }
  if (role.server) {
    out.handshakeInterval = Math.round(options.idleTimeout);
    out.backlog = Math.round(options.backlog);
  }
  if (role.ipv6 || options.ipv6) out.ipv6 = true;
  return out;
}

const ZMQ_ROUTING_ID = 5; // ZMQ_IDENTITY in Salt's pyzmq code

/** A SUB socket whose `ZMQ_IDENTITY` can be set (zeromq.js exposes `routingId` on other socket types only). */
export class IdentifiedSubscriber extends Subscriber {
  setIdentity(identity: string): void {
    this.setStringOption(ZMQ_ROUTING_ID, Buffer.from(identity, 'utf8'));
  }
}

/**
 * Sets an option that libzmq applies at once although zeromq.js warns "will not take effect
 * until next connect/bind" (its list of immediate options lacks `ZMQ_XPUB_NODROP`, which
 * `xpub_t::xsetsockopt` applies on the spot). The warning is silenced for this synchronous call only.
 */
export function setLiveOption(apply: () => void): void {
  const emitWarning = process.emitWarning;
  process.emitWarning = () => {};
  try {
    apply();
  } finally {
    process.emitWarning = emitWarning;
  }
}
