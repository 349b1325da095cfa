import { createHash } from 'node:crypto';

/** The topic a subscriber uses under `zmq_filtering`: `sha1(minion id).hexdigest()` (40 lower-hex ASCII characters). */
export function zmqTopic(minionId: string): string {
  return createHash('sha1').update(minionId, 'utf8').digest('hex');
}

/** Salt's topic for untargeted publishes under `zmq_filtering`. */
export const BROADCAST_TOPIC = 'broadcast';

const HEX_TOPIC = /^[0-9a-f]{40}$/;

/** Whether a subscription topic is a minion's sha1 topic. */
export function isMinionTopic(topic: string): boolean {
  return HEX_TOPIC.test(topic);
}
