import type { CryptoSuite } from '@brine/contracts';

/**
 * Where a master runs each kind of crypto work. A suite that offers `lanes()` (the pooled suite of
 * `@brine/core/node`) separates them; any other suite is all three.
 */
export interface SuiteLanes {
  /** Sign-in (`_auth`) work: behind signed-in minions' requests in a worker queue. */
  auth: CryptoSuite;
  /** On the calling thread, never queued: signs the cheap "busy, retry after" answers. */
  inline: CryptoSuite;
}

export function suiteLanes(suite: CryptoSuite): SuiteLanes {
  const lanes = (suite as { lanes?: unknown }).lanes;
  if (typeof lanes === 'function') return (lanes as () => SuiteLanes).call(suite);
  return { auth: suite, inline: suite };
}
