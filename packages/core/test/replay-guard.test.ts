import { describe, expect, it } from 'vitest';
import { ErrorCodes } from '@brine/contracts';
import { ReplayGuard } from '../src/channel/replay-guard.js';

const code = (fn: () => void): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code: string }).code;
  }
};

describe('ReplayGuard: refused at any age, bounded per minion, the minion judged by its own clock', () => {
  it('a replay inside the window is refused by nonce, after it by the floor (no wall clock involved)', () => {
    const guard = new ReplayGuard(300_000);
    guard.check('m', 'n1', 1_000);
    expect(code(() => guard.check('m', 'n1', 1_000))).toBe(ErrorCodes.REPLAY);
    // The minion's clock moves on by a day; the master's clock is irrelevant.
    guard.check('m', 'n2', 1_000 + 86_400);
    expect(code(() => guard.check('m', 'n1', 1_000))).toBe(ErrorCodes.REPLAY);
    expect(guard.size('m')).toBe(1);
  });

  it('10,000 newer requests do not make an old nonce acceptable again; memory stays at the cap', () => {
    const guard = new ReplayGuard(300_000, 10_000);
    guard.check('m', 'captured', 5_000);
    // 100 requests a second for 250 s: 25,000 nonces inside the 300 s window, over the cap.
    for (let i = 0; i < 25_000; i++) guard.check('m', `n${i}`, 5_000 + Math.floor(i / 100));
    expect(guard.size('m')).toBeLessThanOrEqual(10_000);
    expect(code(() => guard.check('m', 'captured', 5_000))).toBe(ErrorCodes.REPLAY);
    // The minion goes on in the next second.
    expect(code(() => guard.check('m', 'fresh', 5_250))).toBeUndefined();
  });

  it('a minion whose clock is far from the master is served (only its own ts counts); other minions are separate', () => {
    const guard = new ReplayGuard(300_000);
    expect(code(() => guard.check('a', 'x', 10))).toBeUndefined();
    expect(code(() => guard.check('b', 'x', 9_999_999_999))).toBeUndefined();
    expect(code(() => guard.check('a', 'y', 11))).toBeUndefined();
    // Requests a little out of order within the window are fine.
    expect(code(() => guard.check('a', 'z', 9))).toBeUndefined();
  });
});
