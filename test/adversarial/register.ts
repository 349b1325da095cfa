// Registers every case for one transport: one master, one real `brine minion` and the latency probe
// for the whole file; the cases run one after the other against them (their figures stay their
// own), while vitest runs the three transport files at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Transport } from './harness/daemons.js';
import { startEnv, type Env } from './harness/env.js';
import { runCase } from './harness/run-case.js';
import { CASES } from './cases/index.js';

export function registerTransport(transport: Transport): void {
  describe(`adversarial: ${transport}`, () => {
    let env: Env | undefined;
    beforeAll(async () => {
      env = await startEnv(transport);
    });
    afterAll(async () => {
      await env?.close();
    });
    for (const c of CASES.filter((k) => k.transports.includes(transport))) {
      it(c.name, async (ctx) => {
        if (!env) throw new Error('no environment');
        const opts = {
          ...(c.rssAllowance ? { rssAllowance: c.rssAllowance } : {}),
          ...(c.knownGap ? { knownGap: c.knownGap } : {}),
        };
        const result = await runCase(env, c.name, () => c.attack(env!), opts);
        if (result.failures.length > 0 && c.knownGap)
          ctx.skip(`known gap: ${c.knownGap} (${result.failures.join('; ')})`);
        expect(result.failures).toEqual([]);
      });
    }
  });
}
