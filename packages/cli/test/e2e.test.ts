import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  assertBuilt,
  freePort,
  killChildren,
  removeTempDirs,
  runCli,
  startCli,
  tempDir,
  type CliChild,
} from './helpers.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await killChildren();
  await removeTempDirs();
});

/** A config dir holding a master and a minion config with Salt's option names, on free loopback ports. */
async function cluster(transport: string) {
  const dir = await tempDir('brine-e2e-');
  const [publish, ret] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'master'),
    [
      `transport: ${transport}`,
      'interface: 127.0.0.1',
      `publish_port: ${publish}`,
      `ret_port: ${ret}`,
      `root_dir: ${dir}`,
      'pki_dir: pki/master',
      'cachedir: cache/master',
      'sock_dir: run/master',
      'loop_interval: 0.2',
      'log_level: info',
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'minion'),
    [
      `transport: ${transport}`,
      'master: 127.0.0.1',
      `master_port: ${ret}`,
      `root_dir: ${dir}`,
      'acceptance_wait_time: 0.2',
      'recon_default: 100',
      'recon_max: 1000',
      'log_level: info',
    ].join('\n'),
  );
  const minion = (id: string): CliChild =>
    startCli(['minion', '-c', dir, '--id', id, '--pki-dir', `pki/${id}`, '--cachedir', `cache/${id}`]);
  const brine = (...args: string[]) => runCli([...args, '-c', dir]);
  return { dir, minion, brine };
}

describe.each(['tcp', 'zeromq', 'ws'])('brine master + brine minion over %s', (transport) => {
  it('keys go pending, brine key -a accepts them, brine run gets both True; a rejected minion exits 77', async () => {
    const { minion, brine, dir } = await cluster(transport);
    const master = startCli(['master', '-c', dir]);
    await master.waitFor(new RegExp(`Brine master 'master' listening over ${transport}`));

    const m1 = minion('m1');
    const m2 = minion('m2');
    await master.waitFor(/New public key for m1 placed in pending/);
    await master.waitFor(/New public key for m2 placed in pending/);
    const listed = await brine('key', '-l', 'un');
    expect(listed.stdout).toBe('Unaccepted Keys:\nm1\nm2\n');

    const accepted = await brine('key', '-a', 'm*', '-y');
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout).toContain('Key for minion m1 accepted.\nKey for minion m2 accepted.\n');
    await m1.waitFor(/Minion 'm1' is up/);
    await m2.waitFor(/Minion 'm2' is up/);

    const ping = await brine('run', '*', 'test.ping', '--out', 'json', '--static');
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toEqual({ m1: true, m2: true });

    const nested = await brine('run', '-L', 'm1,m2', 'test.arg', '1', 'two', 'k=v', '-t', '5');
    expect(nested.code, nested.stderr).toBe(0);
    expect(nested.stdout).toContain(
      'm1:\n    ----------\n    args:\n        - 1\n        - two\n    kwargs:\n        ----------\n',
    );
    // As from a salt-minion: a function with **kwargs also gets the publish as __pub_* kwargs.
    expect(nested.stdout).toContain('        __pub_fun:\n            test.arg\n');
    expect(nested.stdout).toContain('        k:\n            v\n');

    // Grain, compound, batch and async runs; the minions computed their grains and sent them at start.
    const byGrain = await brine('run', '-G', 'id:m2', 'grains.item', 'id', 'kernel', '--out', 'json', '--static');
    expect(byGrain.code, byGrain.stderr).toBe(0);
    expect(JSON.parse(byGrain.stdout)).toEqual({ m2: { id: 'm2', kernel: 'Linux' } });
    const compound = await brine('run', '-C', 'm1 or G@id:m2', 'test.echo', '42', '--out', 'json');
    expect(compound.code, compound.stderr).toBe(0);
    // Without --static, json is one document per minion, as salt prints it.
    expect(
      compound.stdout
        .trim()
        .split(/\n(?=\{)/)
        .map((d) => JSON.parse(d) as unknown),
    ).toEqual([{ m1: 42 }, { m2: 42 }]);
    const batched = await brine('run', '-b', '1', '*', 'test.ping', '--out', 'json', '--static');
    expect(batched.code, batched.stderr).toBe(0);
    expect(JSON.parse(batched.stdout)).toEqual({ m1: true, m2: true });
    const queued = await brine('run', '--async', 'm1', 'test.ping');
    expect(queued.stdout).toMatch(/^Executed command with job ID: \d{20}\n$/);
    const badArgs = await brine('run', 'm1', 'test.ping', 'extra', '--out', 'raw');
    expect(badArgs.code).toBe(1);
    expect(badArgs.stdout).toMatch(
      /^\{'m1': 'Passed invalid arguments to test.ping: ping\(\) takes 0 positional arguments but 1 was given/,
    );

    const none = await brine('run', 'nobody*', 'test.ping');
    expect(none.code).toBe(2);
    expect(none.stdout).toContain('No minions matched the target.');

    // A rejected key ends the minion with Salt's EX_NOPERM, and the running master rotates its AES key.
    const m3 = minion('m3');
    await master.waitFor(/New public key for m3 placed in pending/);
    expect((await brine('key', '-r', 'm3', '-y')).code).toBe(0);
    expect(await m3.exited).toBe(77);
    expect(m3.stderr).toContain("The Salt Master has rejected this minion's public key!");
    await master.waitFor(/Rotating AES key \(rotation dropfile\)/);

    // The minions re-authenticate after the rotation and still answer.
    const again = await brine('run', '*', 'test.echo', 'still here', '--out', 'json', '--static', '-t', '10');
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toEqual({ m1: 'still here', m2: 'still here' });

    m1.proc.kill('SIGINT');
    expect(await m1.exited).toBe(0);
    master.proc.kill('SIGTERM');
    expect(await master.exited).toBe(0);
    expect(master.stderr).toMatch(/Received SIGTERM, shutting down/);

    const down = await brine('run', '*', 'test.ping');
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/cannot reach the master at .*brine_control\.ipc: is it running\?/);
  }, 90_000);
});

describe('brine minion without a master', () => {
  it('keeps trying to connect and stops cleanly (exit 0) on SIGTERM', async () => {
    const dir = await tempDir('brine-e2e-');
    const port = await freePort();
    const m = startCli([
      'minion',
      '-c',
      dir,
      '--id',
      'lonely',
      '--transport',
      'tcp',
      '--master',
      '127.0.0.1',
      '--master-port',
      String(port),
      '--pki-dir',
      join(dir, 'pki'),
      '--cachedir',
      join(dir, 'cache'),
      '-l',
      'debug',
    ]);
    await m.waitFor(/Master URI: tcp:\/\/127\.0\.0\.1:\d+/);
    await m.waitFor(/Initializing new AsyncAuth/);
    m.proc.kill('SIGTERM');
    expect(await m.exited).toBe(0);
  }, 30_000);
});
