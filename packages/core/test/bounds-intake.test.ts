import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ErrorCodes, type Logger } from '@brine/contracts';
import { JobTracker } from '../src/master/jobs.js';
import { registerMasterCommands } from '../src/master/master-commands.js';
import { CommandRegistry } from '../src/channel/command-registry.js';
import type { CommandContext } from '../src/channel/commands.js';
import type { EventBus } from '../src/events/event-bus.js';
import { RateLimitedLog } from '../src/limits/rate-limited-log.js';
import { TokenBucket } from '../src/limits/token-bucket.js';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { createMaster, vectorPair } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
const minion = vectorPair('minion');
const authLoad = (id: string, pub: string) => ({
  cmd: '_auth',
  id,
  nonce: 'a'.repeat(32),
  enc_algo: 'OAEP-SHA1',
  sig_algo: 'PKCS1v15-SHA1',
  pub,
});
const clear = (load: unknown) => ({ enc: 'clear', load, version: 3 });

function rsaPub(bits: number): string {
  return generateKeyPairSync('rsa', { modulusLength: bits }).publicKey.export({
    type: 'spki',
    format: 'pem',
  }) as string;
}

describe('_auth intake bounds', () => {
  it('a padded public key (valid PEM + junk) is refused before it is parsed or stored', async () => {
    const fixture = await createMaster({ suite });
    await fixture.handle(clear(authLoad('padded', minion.publicPem + 'A'.repeat(1 << 20))));
    expect(fixture.errors.map((e) => e.code)).toEqual([ErrorCodes.KEY_FORMAT]);
    expect(fixture.errors[0]!.details).toMatchObject({ limit: 4096 });
    expect(await fixture.store.listMinionKeys('pending')).toEqual([]);
  });

  it('the stored key is the canonical re-export, not the presented text', async () => {
    const fixture = await createMaster({ suite });
    const noisy = `\n\n  ${minion.publicPem}  \n\n`;
    await fixture.handle(clear(authLoad('noisy', noisy)));
    const stored = await fixture.store.getMinionKey('pending', 'noisy');
    expect(stored).toBe(suite.exportPublicKey(suite.importPublicKey(minion.publicPem)).trim());
    // The same key presented differently still matches the pending one (no "denied").
    await fixture.handle(clear(authLoad('noisy', minion.publicPem)));
    expect(fixture.events.map((e) => e.act)).toEqual(['pend', 'pend']);
  });

  it.each([512, 1024])('an RSA-%i key is refused with ERR_KEY_TOO_SMALL (min_key_size 2048)', async (bits) => {
    const fixture = await createMaster({ suite, auth: { autoAccept: true } });
    await fixture.handle(clear(authLoad(`small${bits}`, rsaPub(bits))));
    expect(fixture.errors.map((e) => e.code)).toEqual([ErrorCodes.KEY_TOO_SMALL]);
    expect(await fixture.store.listMinionKeys('accepted')).toEqual([]);
  });

  it('pending keys stop at max_pending_keys; the minion is told pending, nothing stored', async () => {
    const fixture = await createMaster({ suite, auth: { maxPendingKeys: 3, pendingKeyRate: 0 } });
    for (let i = 0; i < 6; i++) await fixture.handle(clear(authLoad(`m${i}`, minion.publicPem)));
    expect(await fixture.store.listMinionKeys('pending')).toHaveLength(3);
    expect(fixture.errors.map((e) => e.code)).toEqual(Array(3).fill(ErrorCodes.PENDING_LIMIT));
  });

  it('pending keys are rate-bounded by pending_key_rate', async () => {
    const fixture = await createMaster({ suite, auth: { maxPendingKeys: 0, pendingKeyRate: 5 } });
    for (let i = 0; i < 20; i++) await fixture.handle(clear(authLoad(`r${i}`, minion.publicPem)));
    const stored = (await fixture.store.listMinionKeys('pending')).length;
    // A burst of 5, plus whatever refilled while the 20 requests ran (well under a second).
    expect(stored).toBeGreaterThanOrEqual(5);
    expect(stored).toBeLessThan(12);
  });
});

describe('JobTracker bounds (max_jobs, keep_jobs)', () => {
  it('keeps at most max_jobs, dropping the oldest uncollected; collect of a dropped jid is ERR_UNKNOWN_JOB', async () => {
    const jobs = new JobTracker({ maxJobs: 100 });
    for (let i = 0; i < 1000; i++) jobs.start(`j${i}`, ['m']);
    expect(jobs.size).toBe(100);
    expect(jobs.evicted).toBe(900);
    await expect(jobs.collect('j0', AbortSignal.abort())).rejects.toMatchObject({ code: ErrorCodes.UNKNOWN_JOB });
    expect((await jobs.collect('j999', AbortSignal.abort())).missing).toEqual(['m']);
  });

  it('a job being collected is never dropped; when all are, publish is refused with ERR_JOB_LIMIT', async () => {
    const jobs = new JobTracker({ maxJobs: 1 });
    jobs.start('a', ['m']);
    const waiting = new AbortController();
    const collecting = jobs.collect('a', waiting.signal);
    expect(() => jobs.start('b', ['m'])).toThrow(expect.objectContaining({ code: ErrorCodes.JOB_LIMIT }));
    jobs.record('a', 'm', { return: true });
    expect((await collecting).returns).toEqual({ m: true });
  });

  it('drops jobs older than keep_jobs hours', () => {
    let now = 0;
    const jobs = new JobTracker({ keepJobs: 24, now: () => now });
    jobs.start('old', ['m']);
    now += 23 * 3_600_000;
    jobs.start('young', ['m']);
    now += 2 * 3_600_000;
    expect(jobs.prune()).toBe(1);
    expect(jobs.size).toBe(1);
  });
});

describe('rate-limited logging and the token bucket', () => {
  it('RateLimitedLog writes at most log_rate_limit lines per kind per minute and reports the rest', () => {
    let now = 0;
    const lines: string[] = [];
    const logger = { warning: (m: string) => lines.push(m) } as unknown as Logger;
    const log = new RateLimitedLog(logger, 10, () => now);
    for (let i = 0; i < 10_000; i++) log.warning('ERR_BAD_LOAD', 'bad load');
    for (let i = 0; i < 5; i++) log.warning('ERR_REPLAY', 'replay');
    expect(lines).toHaveLength(15);
    now += 60_000;
    log.warning('ERR_BAD_LOAD', 'bad load');
    expect(lines.at(-1)).toContain('9990 similar ERR_BAD_LOAD lines suppressed');
  });

  it('TokenBucket allows bursts of `burst` then `rate` per second', () => {
    let now = 0;
    const bucket = new TokenBucket(50, 50, () => now);
    let ok = 0;
    for (let i = 0; i < 200; i++) if (bucket.take()) ok++;
    expect(ok).toBe(50);
    now += 100;
    ok = 0;
    for (let i = 0; i < 200; i++) if (bucket.take()) ok++;
    expect(ok).toBe(5);
  });
});

describe('_minion_event complexity limits (minion_event_max_events, minion_event_max_keys)', () => {
  const setup = () => {
    const fired: string[] = [];
    const refused: string[] = [];
    const commands = registerMasterCommands(new CommandRegistry(), {
      bus: { fire: (tag: string) => void fired.push(tag) } as unknown as EventBus,
      jobs: new JobTracker(),
      refuse: (e) => void refused.push(e.message),
      seen: () => {},
      maxEvents: 100,
      maxEventKeys: 50,
    });
    const ctx = { minionId: 'm1', version: 3 } as unknown as CommandContext;
    return { handler: commands.get('_minion_event')!, fired, refused, ctx };
  };

  it('a request with more events than the limit is refused whole, none fired', async () => {
    const { handler, fired, refused, ctx } = setup();
    const events = Array.from({ length: 100_000 }, (_, i) => ({ tag: `salt/minion/m1/e${i}`, data: {} }));
    expect(await handler({ cmd: '_minion_event', id: 'm1', events }, ctx)).toBe(false);
    expect(fired).toEqual([]);
    expect(refused[0]).toContain('over minion_event_max_events (100)');
  });

  it('an event with too many data keys is refused; a normal one is fired', async () => {
    const { handler, fired, refused, ctx } = setup();
    const data = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i]));
    expect(await handler({ cmd: '_minion_event', id: 'm1', tag: 'salt/minion/m1/x', data }, ctx)).toBe(false);
    expect(refused[0]).toContain('over 50 event data keys in all (minion_event_max_keys)');
    expect(await handler({ cmd: '_minion_event', id: 'm1', tag: 'salt/minion/m1/y', data: { a: 1 } }, ctx)).toBe(true);
    expect(fired).toEqual(['salt/minion/m1/y']);
  });

  it('the data keys are counted over the whole request: many events each under the limit are refused together', async () => {
    const { handler, fired, refused, ctx } = setup();
    const data = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, i]));
    const events = [0, 1].map((i) => ({ tag: `salt/minion/m1/e${i}`, data }));
    expect(await handler({ cmd: '_minion_event', id: 'm1', events }, ctx)).toBe(false);
    expect(refused).toHaveLength(1);
    expect(fired).toEqual([]);
    expect(await handler({ cmd: '_minion_event', id: 'm1', events: events.slice(0, 1) }, ctx)).toBe(true);
    expect(fired).toEqual(['salt/minion/m1/e0']);
  });
});
