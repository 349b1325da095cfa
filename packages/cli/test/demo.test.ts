import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, killChildren, runCli } from './helpers.js';

beforeAll(assertBuilt);
afterEach(killChildren);

/** Lines in `text` appear in this order (other lines may sit between them). */
function expectInOrder(text: string, patterns: RegExp[]): void {
  const lines = text.split('\n');
  let at = 0;
  for (const re of patterns) {
    const found = lines.findIndex((l, i) => i >= at && re.test(l));
    expect(found, `expected ${re} after line ${at} in:\n${text}`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

describe('brine demo', () => {
  it.each(['tcp', 'zeromq', 'ws'])(
    'runs a master and three minions over %s and exits 0 with every True',
    async (transport) => {
      // tcp as README.md shows it (`pnpm demo -- --transport tcp` hands the CLI a leading `--`).
      const argv = transport === 'tcp' ? ['demo', '--', '--transport', transport] : ['demo', '--transport', transport];
      const r = await runCli(argv, { timeoutMs: 60_000 });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`1 master + 3 minions on 127.0.0.1 over ${transport}`);
      for (const id of ['alpha', 'beta', 'gamma']) {
        expect(r.stdout).toContain(`${id}:\n    True\n`);
        expect(r.stdout).toContain(`${id}:\n    hello from brine\n`);
        expect(r.stdout).toMatch(
          new RegExp(`${id} +idle -> signing-in -> pending( \\(\\d+ tries\\))? -> signing-in -> authenticated`),
        );
        expect(r.stdout).toContain(`Key for minion ${id} accepted.`);
      }
      expectInOrder(r.stdout, [
        /== Keys before acceptance/,
        /^ +Unaccepted Keys:$/,
        /^ +alpha$/,
        /== Accepting the keys/,
        /== Keys after acceptance/,
        /^ +Accepted Keys:$/,
        /== Handshake/,
        /test\.ping/,
        /test\.ping: 3\/3 minions returned True in [\d.]+ ms/,
        /test\.echo: 3\/3 minions/,
        /done in \d+ ms/,
      ]);
    },
    70_000,
  );

  it('at debug level the logs tell the connection story of a salt-minion and salt-master', async () => {
    const r = await runCli(['demo', '--transport', 'tcp', '--minions', '1', '--log-level', 'debug'], {
      timeoutMs: 60_000,
    });
    expect(r.code, r.stderr).toBe(0);
    expectInOrder(r.stderr, [
      /^\[INFO {4}\] \[master\] Creating master process manager/,
      /^\[INFO {4}\] \[master\] Starting the Salt Publisher on tcp:\/\/127\.0\.0\.1:\d+/,
      /^\[DEBUG {3}\] \[master\] This salt-master instance has accepted 0 minion keys\./,
      /^\[DEBUG {3}\] \[alpha\] Connecting to master\. Attempt 1 of 1/,
      /^\[DEBUG {3}\] \[alpha\] Master URI: tcp:\/\/127\.0\.0\.1:\d+/,
      /^\[DEBUG {3}\] \[alpha\] Loaded minion key: .*minion\.pem/,
      /^\[DEBUG {3}\] \[alpha\] Initializing new AsyncAuth for \(.*, alpha, tcp:\/\/127\.0\.0\.1:\d+\)/,
      /\[master\] Sending event: tag = salt\/auth; data = .*"act":"pend"/,
      /\[master\] Sending event: tag = salt\/auth; data = .*"act":"accept"/,
      /^\[DEBUG {3}\] \[alpha\] Decrypting the current master AES key/,
      /\[master\] Sending event: tag = salt\/minion\/alpha\/start/,
      /\[alpha\] Executing command test\.ping/,
    ]);
  }, 70_000);

  it('runs with the NaCl suite (crypto: nacl)', async () => {
    const r = await runCli(['demo', '--transport', 'tcp', '--crypto', 'nacl', '--minions', '2'], { timeoutMs: 60_000 });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('(crypto: nacl)');
    expect(r.stdout).toContain('alpha:\n    True\nbeta:\n    True\n');
  }, 70_000);

  it('rejects a bad option with exit code 2', async () => {
    const r = await runCli(['demo', '--transport', 'Carrier Pigeon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--transport must be one of zeromq, tcp, ws or a package name/);
  });

  it('names the package when a transport package is not installed, with exit code 2', async () => {
    const r = await runCli(['demo', '--transport', '@acme/brine-transport-carrier-pigeon']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/package @acme\/brine-transport-carrier-pigeon is not installed/);
    expect(r.stderr).toMatch(/npm i @acme\/brine-transport-carrier-pigeon/);
  });

  it('runs on a third-party transport loaded by its package name', async () => {
    const r = await runCli(['demo', '--transport', '@acme/brine-transport-memory', '--minions', '2']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/memory/);
  });
});
