import { AuthError, ErrorCodes } from '@brine/contracts';

/**
 * Refuses a request nonce seen before from the same minion within `windowMs` (a replayed
 * request; CVE-2024-38823). Memory per minion is bounded by `maxPerMinion`.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, Map<string, number>>();

  constructor(
    private readonly windowMs: number,
    private readonly maxPerMinion = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  check(id: string, nonce: string): void {
    const t = this.now();
    let nonces = this.seen.get(id);
    if (!nonces) {
      nonces = new Map();
      this.seen.set(id, nonces);
    }
    const expires = nonces.get(nonce);
    if (expires !== undefined && expires > t) {
      throw new AuthError(ErrorCodes.REPLAY, `replayed request nonce from ${id}`);
    }
    nonces.set(nonce, t + this.windowMs);
    if (nonces.size > this.maxPerMinion) {
      for (const [n, exp] of nonces) {
        if (exp <= t || nonces.size > this.maxPerMinion) nonces.delete(n);
        else break;
      }
    }
  }

  forget(id: string): void {
    this.seen.delete(id);
  }
}
