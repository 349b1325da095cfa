import { badEncAlgo, paddedPub, pendingFlood, smallKey } from './auth.js';
import { connFlood, nonReader, oversizedPreAuth, partialTrickle } from './bytes.js';
import { bigReturn, eventFlood } from './load.js';
import { forgedAndReplayedPublish, replayedRequest } from './publish.js';
import type { AdversarialCase } from './types.js';

/** Every case, in the order they run against one transport's master. */
export const CASES: readonly AdversarialCase[] = [
  partialTrickle,
  oversizedPreAuth,
  nonReader,
  paddedPub,
  badEncAlgo,
  forgedAndReplayedPublish,
  replayedRequest,
  bigReturn,
  pendingFlood,
  connFlood,
  eventFlood,
  smallKey,
];
