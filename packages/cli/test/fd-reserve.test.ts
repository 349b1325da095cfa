// A master under a low RLIMIT_NOFILE fits its connection caps under it (max_open_files / ulimit -n
// minus fd_reserve), so a connection flood on both ports leaves descriptors for the control
// socket: `brine run` still reaches it and the minion still answers.
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, killChildren, removeTempDirs, runCli, startCli, tempDir } from './helpers.js';

beforeAll(assertBuilt);
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await killChildren();
  await removeTempDirs();
});

const NOFILE = 256;
const FLOOD = 300; // per port: more than the whole limit together

/** Opens `count` idle connections to `port`; resolves once `closed` of them were closed by the peer. */
function flood(port: number, count: number): { closedAtLeast: (n: number) => Promise<void>; readonly closed: number } {
  let closed = 0;
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  for (let i = 0; i < count; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    s.on('close', () => {
      closed++;
      for (const w of waiters.splice(0)) (closed >= w.n ? w.resolve : () => waiters.push(w))();
    });
    sockets.push(s);
  }
  return {
    get closed() {
      return closed;
    },
    closedAtLeast: (n) => (closed >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))),
  };
}

describe('fd reserve (tcp)', () => {
  it(`under ulimit -n ${NOFILE}, a flood of ${FLOOD} connections per port leaves the control socket working`, async () => {
    const dir = await tempDir('brine-fd-');
    const [publish, ret] = [await freePort(), await freePort()];
    const common = [`transport: tcp`, `root_dir: ${dir}`, 'log_level: info'];
    await writeFile(
      join(dir, 'master'),
      [
        ...common,
        'interface: 127.0.0.1',
        `publish_port: ${publish}`,
        `ret_port: ${ret}`,
        'pki_dir: pki/master',
        'cachedir: cache/master',
        'sock_dir: run/master',
        'auto_accept: true',
        'worker_threads: 0',
      ].join('\n'),
    );
    await writeFile(
      join(dir, 'minion'),
      [...common, 'master: 127.0.0.1', `master_port: ${ret}`, 'acceptance_wait_time: 0.2', 'recon_default: 100'].join(
        '\n',
      ),
    );
    const master = startCli(['master', '-c', dir], { prefix: ['prlimit', `--nofile=${NOFILE}:${NOFILE}`] });
    const lowered = await master.waitFor(/max_connections lowered to \d+ per listener/);
    const perListener = Number(/lowered to (\d+)/.exec(lowered)![1]);
    expect(perListener).toBe((NOFILE - 128) / 2);
    await master.waitFor(/Brine master 'master' listening over tcp/);
    const minion = startCli(['minion', '-c', dir, '--id', 'm1', '--pki-dir', 'pki/m1', '--cachedir', 'cache/m1']);
    await minion.waitFor(/Minion 'm1' is up/);

    const floods = [flood(ret, FLOOD), flood(publish, FLOOD)];
    // Everything over the caps is closed at once by the master (the minion holds one of each).
    await Promise.all(floods.map((f) => f.closedAtLeast(FLOOD - perListener)));

    const ping = await runCli(['run', 'm1', 'test.ping', '--out', 'json', '-t', '10', '-c', dir]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toEqual({ m1: true });
    expect(master.stderr + master.stdout).not.toMatch(/EMFILE/);
  });
});
