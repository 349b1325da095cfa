/**
 * The CI-sized swarm: thousands of real Brine minions in separate processes against one master,
 * on every transport. Asserts completeness (every minion signed in, none gave up, every publish
 * delivered, a targeted publish only to its targets), never timings: those are the bench's
 * (`pnpm bench -- swarm --minions 10000`).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSwarm, runSwarm, type SwarmResult } from '../dist/index.js';

const SIZES = { tcp: 2000, ws: 1000, zeromq: 1000 } as const;

describe('swarm (scale)', () => {
  for (const [transport, minions] of Object.entries(SIZES) as Array<[keyof typeof SIZES, number]>) {
    it(`${minions} minions on ${transport}: all signed in, every publish delivered, the targeted one only to its targets`, async () => {
      const r: SwarmResult = await runSwarm({
        transport,
        minions,
        processes: 2,
        distinctKeys: 50,
        keyDir: join(tmpdir(), 'brine-swarm-keys'),
      });
      process.stdout.write(formatSwarm(r));
      expect(r.storm.signedIn).toBe(minions);
      expect(r.storm.failed).toBe(0);
      expect(r.memory.masterRssAfterMb).toBeGreaterThan(0);
      expect(r.publishAll).toMatchObject({ targeted: minions, delivered: minions, strays: 0 });
      const targets = Math.ceil(minions / 100);
      expect(r.publishTargeted).toMatchObject({ targeted: targets, delivered: targets, strays: 0 });
      expect(r.complete).toBe(true);
    });
  }
});
