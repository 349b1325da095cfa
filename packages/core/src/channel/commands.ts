import type { RequestContext } from '@brine/contracts';
import type { Dict } from '../protocol/values.js';

/** Context a master command handler gets. */
export interface CommandContext extends RequestContext {
  /** The authenticated minion id (the token was verified for it). */
  readonly minionId: string;
  readonly version: number;
}

/**
 * A reply to encrypt for one minion with a fresh key sealed to its public key (Salt's
 * `send_private`, used for pillar data): `{key: seal(k), [dictKey]: Crypticle(k).dumps({data, sig})}`.
 */
export class PrivateReply {
  constructor(
    readonly dictKey: string,
    readonly value: unknown,
  ) {}
}

/** Handles one encrypted command (`_return`, `_minion_event`, ...). Only registered commands run. */
export type CommandHandler = (load: Dict, context: CommandContext) => unknown;
