import { describe, expect, it } from 'vitest';
import { packb } from '@brine/contracts';
import type { JobResult } from '../src/master/jobs.js';
import { fitReturns } from '../src/node/ipc/fit-returns.js';

function result(sizes: Record<string, number>): JobResult {
  const returns: Record<string, unknown> = {};
  const details: JobResult['details'] = {};
  for (const [id, n] of Object.entries(sizes)) {
    returns[id] = 'x'.repeat(n);
    details[id] = { id, return: returns[id], retcode: 0, success: true };
  }
  return { jid: '1', minions: Object.keys(sizes), returns, details, missing: [] };
}

describe('fitReturns: one oversized return is refused for that minion alone', () => {
  it('a 20 MB return among 50 small ones under a 16 MiB reply: only it is replaced, with a clear line', () => {
    const sizes: Record<string, number> = { big: 20 * 1024 * 1024 };
    for (let i = 0; i < 50; i++) sizes[`m${i}`] = 1000;
    const r = result(sizes);
    const limit = 16 * 1024 * 1024;
    expect(fitReturns(r, limit)).toEqual(['big']);
    expect(r.returns.big).toMatch(/The return of big \(\d+ bytes\) is over max_message_size \(16777216 bytes\)/);
    expect(r.details.big).toMatchObject({ success: false, retcode: 1 });
    for (let i = 0; i < 50; i++) expect(r.returns[`m${i}`]).toHaveLength(1000);
    expect(packb({ ok: true, result: r }).length).toBeLessThanOrEqual(limit);
  });

  it('a 20 MB return under the default 64 MiB limit is delivered whole', () => {
    const r = result({ big: 20 * 1024 * 1024, small: 10 });
    expect(fitReturns(r, 64 * 1024 * 1024)).toEqual([]);
    expect(r.returns.big).toHaveLength(20 * 1024 * 1024);
  });

  it('carries each return once: details lose their copy of it, the originals are untouched', () => {
    const r = result({ a: 5 * 1024 * 1024, b: 10 });
    const original = r.details.a!;
    // 5 MiB fits an 8 MiB reply only if it is not counted twice (returns and details).
    expect(fitReturns(r, 8 * 1024 * 1024)).toEqual([]);
    expect(r.returns.a).toHaveLength(5 * 1024 * 1024);
    expect(r.details.a).toEqual({ id: 'a', retcode: 0, success: true });
    expect(original.return).toHaveLength(5 * 1024 * 1024);
    expect(packb({ ok: true, result: r }).length).toBeLessThan(6 * 1024 * 1024);
  });
});
