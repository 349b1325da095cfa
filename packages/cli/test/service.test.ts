/**
 * `brine master` as a service: one instance per sock_dir, SIGHUP reopens the log file, SIGUSR1/2
 * are harmless, and a start that fails (a port in use) exits non-zero and releases every port.
 */
import { existsSync, watch } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, freePort, killChildren, removeTempDirs, runCli, startCli, tempDir } from './helpers.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await killChildren();
  await removeTempDirs();
});

async function masterDir(extra: string[] = []) {
  const dir = await tempDir('brine-service-');
  const [publish, ret] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'master'),
    [
      'transport: tcp',
      'interface: 127.0.0.1',
      `publish_port: ${publish}`,
      `ret_port: ${ret}`,
      `root_dir: ${dir}`,
      'pki_dir: pki/master',
      'cachedir: cache/master',
      'sock_dir: run/master',
      'log_level: info',
      ...extra,
    ].join('\n'),
  );
  return { dir, publish, ret };
}

const LISTENING = /Brine master '.*' listening over tcp/;

/** Resolves once the file at `path` matches `re`, woken by changes to its folder (no polling). */
function fileMatches(path: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
  // fs.watch starts watching at once (the promise API only once iterated, which could miss a write).
  const watcher = watch(dirname(path));
  return new Promise<string>((resolve, reject) => {
    let last = '';
    const timer = setTimeout(() => finish(new Error(`${path} never matched ${re}: ${last}`)), timeoutMs);
    const finish = (error?: Error, text?: string): void => {
      clearTimeout(timer);
      watcher.close();
      if (error) reject(error);
      else resolve(text!);
    };
    const check = (): void => {
      void readFile(path, 'utf8')
        .catch(() => '')
        .then((text) => {
          last = text;
          if (re.test(text)) finish(undefined, text);
        });
    };
    watcher.on('change', check);
    check();
  });
}

function listen(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('brine master as a service', () => {
  it('refuses a second master on the same sock_dir with one clear line; the first keeps its lock', async () => {
    const { dir } = await masterDir(['pidfile: run/brine.pid']);
    const first = startCli(['master', '-c', dir]);
    await first.waitFor(LISTENING);
    const lockFile = join(dir, 'run/master/brine-master.pid');
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(first.proc.pid));
    expect((await readFile(join(dir, 'run/brine.pid'), 'utf8')).trim()).toBe(String(first.proc.pid));

    const [p2, r2] = [await freePort(), await freePort()];
    const second = await runCli(['master', '-c', dir, '--publish-port', String(p2), '--ret-port', String(r2)]);
    expect(second.code).toBe(1);
    const lines = second.stderr.trim().split('\n');
    expect(lines.filter((l) => l.includes(`another brine master (pid ${first.proc.pid})`))).toHaveLength(1);
    expect(first.proc.exitCode).toBeNull();
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(first.proc.pid));

    first.proc.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(existsSync(lockFile)).toBe(false);
    expect(existsSync(join(dir, 'run/brine.pid'))).toBe(false);
  });

  it('replaces a stale pid file whose process is gone', async () => {
    const { dir } = await masterDir();
    const lockFile = join(dir, 'run/master/brine-master.pid');
    await mkdir(join(dir, 'run/master'), { recursive: true });
    await writeFile(lockFile, '999999999\n'); // no such process
    const master = startCli(['master', '-c', dir]);
    await master.waitFor(LISTENING);
    expect((await readFile(lockFile, 'utf8')).trim()).toBe(String(master.proc.pid));
  });

  it('SIGHUP reopens a rotated log file; SIGUSR1 and SIGUSR2 are logged and harmless', async () => {
    const { dir } = await masterDir(['log_file: log/master']);
    const master = startCli(['master', '-c', dir]);
    await master.waitFor(LISTENING);
    const log = join(dir, 'log/master');
    expect(await fileMatches(log, LISTENING)).toMatch(LISTENING);
    await rename(log, `${log}.1`); // what logrotate does
    master.proc.kill('SIGHUP');
    await master.waitFor(/Received SIGHUP: reopened the log file/);
    expect(await fileMatches(log, /Received SIGHUP: reopened the log file/)).not.toMatch(LISTENING);
    expect(await readFile(`${log}.1`, 'utf8')).not.toContain('reopened');

    master.proc.kill('SIGUSR1');
    await master.waitFor(/Received SIGUSR1: ignored/);
    master.proc.kill('SIGUSR2');
    await master.waitFor(/Received SIGUSR2: ignored/);
    expect(master.stderr).not.toContain('Debugger listening');
    expect(master.proc.exitCode).toBeNull();
    master.proc.kill('SIGTERM');
    expect(await master.exited).toBe(0);
  });

  it('a start that fails on a port in use exits non-zero, says so, and leaves the other port free', async () => {
    const { dir, publish, ret } = await masterDir();
    const squatter = await listen(ret);
    try {
      const r = await runCli(['master', '-c', dir]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('ERR_ADDRESS_IN_USE');
      const rebound = await listen(publish); // the publish listener was released
      await new Promise<void>((resolve) => rebound.close(() => resolve()));
      expect(existsSync(join(dir, 'run/master/brine-master.pid'))).toBe(false);
    } finally {
      await new Promise<void>((resolve) => squatter.close(() => resolve()));
    }
  });

  it('refuses to start when inbound_budget is below max_message_size: exit 2, one line naming both', async () => {
    const { dir, publish } = await masterDir(['inbound_budget: 4194304', 'max_message_size: 8388608']);
    const r = await runCli(['master', '-c', dir]);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^brine master: inbound_budget \(4194304 bytes\) is below max_message_size \(8388608\).*\[ERR_CONFIG\]$/,
    );
    const rebound = await listen(publish); // nothing was bound
    await new Promise<void>((resolve) => rebound.close(() => resolve()));
    expect(existsSync(join(dir, 'run/master/brine-master.pid'))).toBe(false);
  });
});
