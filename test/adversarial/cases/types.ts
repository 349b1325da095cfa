import type { Transport } from '../harness/daemons.js';
import type { Env } from '../harness/env.js';
import type { AttackOutcome } from '../harness/run-case.js';

export interface AdversarialCase {
  name: string;
  /** What it proves (README). */
  what: string;
  transports: readonly Transport[];
  attack(env: Env): Promise<AttackOutcome>;
  /** RSS the master may add over its figure before the attack (default RSS_ALLOWANCE). */
  rssAllowance?: number;
  /** A known failure waiting for another branch: recorded and reported, the test is skipped with this reason when it fails. */
  knownGap?: string;
}

export const ALL: readonly Transport[] = ['zeromq', 'tcp', 'ws'];
export const STREAM: readonly Transport[] = ['tcp', 'ws'];
