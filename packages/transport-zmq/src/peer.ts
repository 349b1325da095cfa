import type { PeerInfo } from '@brine/contracts';
import { identityLabel } from './frames.js';

export const TRANSPORT_NAME = 'zeromq';

/**
 * The peer a request came from. libzmq gives the ROUTER a routing id per connection (5 bytes
 * for anonymous REQ/DEALER peers) but zeromq.js exposes no address, so the id is all we know.
 */
export function routedPeer(identity: Buffer): PeerInfo {
  return { id: identityLabel(identity), transport: TRANSPORT_NAME };
}

/** A subscriber as the publish server knows it: only by the order of its subscriptions. */
export function subscriberPeer(n: number): PeerInfo {
  return { id: `subscriber-${n}`, transport: TRANSPORT_NAME };
}

/** The peer behind a `zmq_filtering` topic: the server cannot tell which connection subscribed it. */
export function topicPeer(topic: string): PeerInfo {
  return { id: `topic:${topic}`, transport: TRANSPORT_NAME };
}
