import { Crypticle } from '../crypto/crypticle.js';
import type { CryptoSuite } from '@brine/contracts';

interface Session {
  key: string;
  crypticle: Crypticle;
  created: number;
}

/**
 * Per-minion session keys (protocol v3, Salt's `ReqServerChannel.session_key`): each accepted
 * minion gets its own key, sent in every accept reply and used for its requests and replies.
 * Regenerated after `publishSession` seconds; dropped when the minion's key is deleted or rejected.
 * Kept in memory: a restarted master issues new keys and minions re-authenticate on first failure.
 */
export class SessionKeys {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly suite: CryptoSuite,
    private readonly publishSessionMs: number = 86_400_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session key for `id`, creating or renewing it as needed. */
  keyFor(id: string): string {
    return this.entry(id).key;
  }

  /** The Crypticle for `id` if it has a live session (never creates one). */
  crypticleFor(id: string): Crypticle | undefined {
    const s = this.sessions.get(id);
    if (!s || this.now() - s.created > this.publishSessionMs) return undefined;
    return s.crypticle;
  }

  drop(id: string): void {
    this.sessions.delete(id);
  }

  clear(): void {
    this.sessions.clear();
  }

  get size(): number {
    return this.sessions.size;
  }

  private entry(id: string): Session {
    const existing = this.sessions.get(id);
    if (existing && this.now() - existing.created <= this.publishSessionMs) return existing;
    const key = this.suite.generateSessionKey();
    const session = { key, crypticle: Crypticle.fromKey(this.suite, key), created: this.now() };
    this.sessions.set(id, session);
    return session;
  }
}
