/**
 * Bench processes are reused between roles (a process costs ~0.6 s of CPU to start): a cleanly
 * closed role leaves its process idle for the next one; a process whose call failed is not reused.
 * Runs the built worker (dist/), as the bench does.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type * as Parent from '../src/children/parent.js';

const PARENT = fileURLToPath(new URL('../dist/children/parent.js', import.meta.url));
const load = async (): Promise<typeof Parent> => {
  expect(existsSync(PARENT), `${PARENT} is missing: build first (npx tsc -b packages/bench)`).toBe(true);
  return (await import(PARENT)) as typeof Parent;
};

afterAll(async () => (await load()).killAllChildren());

const spec = { transport: 'tcp', mode: 'raw' };
const opts = (name: string, extra: object = {}): Parent.ChildOptions => ({ name, reusable: true, ...extra });

describe('bench process reuse', () => {
  it('runs the next role in the process of a cleanly stopped one, and a new role answers', async () => {
    const { BenchChild } = await load();
    const first = await BenchChild.start<{ port: number }>('reqrep-server', spec, opts('first'));
    const pid = first.child.pid;
    expect(first.info.port).toBeGreaterThan(0);
    await first.child.stop();
    const second = await BenchChild.start<{ port: number }>('reqrep-server', spec, opts('second'));
    expect(second.child.pid).toBe(pid);
    expect(second.child.name).toBe('second');
    expect(second.info.port).toBeGreaterThan(0);
    expect((await second.child.cpu()).user).toBeGreaterThan(0);
    await second.child.stop();
  });

  it('does not reuse a process unless asked to', async () => {
    const { BenchChild } = await load();
    const first = await BenchChild.start('reqrep-server', spec, { name: 'one-off' });
    const pid = first.child.pid;
    await first.child.stop();
    await first.child.exitedPromise;
    const second = await BenchChild.start('reqrep-server', spec, { name: 'fresh' });
    expect(second.child.pid).not.toBe(pid);
    await second.child.stop();
  });

  it('does not reuse a process whose call failed, nor one started with extra node flags', async () => {
    const { BenchChild } = await load();
    const { child } = await BenchChild.start('reqrep-server', spec, opts('failing'));
    await expect(child.call('no-such-op')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT' });
    const pid = child.pid;
    await child.stop();
    await child.exitedPromise;
    const flagged = await BenchChild.start('reqrep-server', spec, opts('flagged', { execArgv: ['--no-warnings'] }));
    expect(flagged.child.pid).not.toBe(pid);
    await flagged.child.stop();
    await flagged.child.exitedPromise;
    const next = await BenchChild.start('reqrep-server', spec, opts('next'));
    expect([pid, flagged.child.pid]).not.toContain(next.child.pid);
    await next.child.stop();
  });
});
