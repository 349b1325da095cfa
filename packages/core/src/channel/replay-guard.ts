import { AuthError, ErrorCodes } from '@brine/contracts';

interface MinionWindow {
  /** The newest `ts` this minion sent (its own clock, seconds). */
  high: number;
  /** Requests with a `ts` below this are refused: older than the window, or their nonce was evicted. */
  floor: number;
  /** Nonces seen with `ts >= floor`, with their `ts`. */
  nonces: Map<string, number>;
  /** `floor` at the last sweep of `nonces`. */
  swept: number;
}

/**
 * Refuses a replayed request at any age (CVE-2024-38823), with bounded memory per minion and
 * without comparing clocks: each minion is judged against its own `ts`. The guard keeps, per
 * minion, the high-water mark of the `ts` it sent and the nonces of the requests within
 * `windowMs` of it. A request is refused when its `ts` is below the floor (more than the window
 * older than the minion's newest request) or its nonce is in the window. When more than
 * `maxPerMinion` nonces are in the window, the oldest is evicted and the floor rises past its
 * `ts`, so an evicted nonce is refused by the floor instead of being forgotten. A minion whose
 * clock steps back by more than the window is refused until its clock catches up.
 * Requests without `ts` (protocol 2) are judged by nonce alone against the current window.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, MinionWindow>();

  constructor(
    private readonly windowMs: number,
    private readonly maxPerMinion = 10_000,
  ) {}

  check(id: string, nonce: string, ts?: number): void {
    let w = this.seen.get(id);
    const stamp = typeof ts === 'number' && Number.isFinite(ts) ? ts : undefined;
    if (!w) {
      const start = stamp ?? 0;
      w = { high: start, floor: -Infinity, nonces: new Map(), swept: -Infinity };
      this.seen.set(id, w);
    }
    const at = stamp ?? w.high;
    if (at < w.floor) {
      throw new AuthError(
        ErrorCodes.REPLAY,
        `replayed or stale request from ${id}: ts ${at} is below its replay floor ${w.floor}`,
        { details: { ts: at, floor: w.floor } },
      );
    }
    if (w.nonces.has(nonce)) throw new AuthError(ErrorCodes.REPLAY, `replayed request nonce from ${id}`);
    w.nonces.set(nonce, at);
    if (at > w.high) w.high = at;
    w.floor = Math.max(w.floor, w.high - this.windowMs / 1000);
    if (w.nonces.size > this.maxPerMinion) {
      // Insertion order is roughly ts order; the first entry is the oldest to drop.
      const [oldest, oldestTs] = w.nonces.entries().next().value as [string, number];
      w.nonces.delete(oldest);
      // ts are whole seconds from Salt minions: refuse everything at or below the evicted one.
      w.floor = Math.max(w.floor, Number.isInteger(oldestTs) ? oldestTs + 1 : oldestTs + Number.EPSILON);
    }
    if (w.floor > w.swept) {
      for (const [n, t] of w.nonces) if (t < w.floor) w.nonces.delete(n);
      w.swept = w.floor;
    }
  }

  /** Nonces held for `id` (for tests and metrics). */
  size(id: string): number {
    return this.seen.get(id)?.nonces.size ?? 0;
  }

  forget(id: string): void {
    this.seen.delete(id);
  }
}
