// Runs a documented command line with bash, in its own process group (so pnpm's children stop with
// it), and watches its output for a line.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './extract.js';

export interface Shell {
  readonly output: string;
  /** Resolves with the first output line matching `re`; rejects when the process ends first or on timeout. */
  waitFor(re: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** SIGTERM to the whole group, then the exit. */
  stop(): Promise<number | string>;
}

const running = new Set<ChildProcess>();

export function shell(command: string, options: { cwd: string; env?: NodeJS.ProcessEnv }): Shell {
  const proc = spawn('bash', ['-c', command], {
    cwd: options.cwd,
    env: { ...process.env, FORCE_COLOR: '0', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  running.add(proc);
  let output = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => ((output += d), wake()));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => ((output += d), wake()));
  let ended = false;
  // A process the command left behind would hold the pipes open (and 'close' would never come):
  // once bash has exited, whatever is left of its process group is killed.
  proc.on('exit', () => signalGroup(proc, 'SIGKILL'));
  const exited = new Promise<number | string>((resolve) =>
    proc.on('close', (code, signal) => {
      running.delete(proc);
      ended = true;
      wake();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  return {
    get output() {
      return output;
    },
    exited,
    waitFor(re, timeoutMs) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => done(new Error(`no line matching ${re} in ${timeoutMs} ms:\n${output}`)),
          timeoutMs,
        );
        const done = (error?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(line!);
        };
        const check = () => {
          const line = output.split('\n').find((l) => re.test(l));
          if (line !== undefined) done(undefined, line);
          else if (ended) done(new Error(`ended before a line matching ${re}:\n${output}`));
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (!ended) signalGroup(proc, 'SIGTERM');
      return exited;
    },
  };
}

function signalGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-proc.pid!, signal);
  } catch {
    // already gone
  }
}

/** Kills whatever is still running (after a failed test). */
export async function stopAll(): Promise<void> {
  const left = [...running];
  left.forEach((p) => signalGroup(p, 'SIGKILL'));
  await Promise.all(left.map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once('close', r)))));
}

/** Runs a command to its end (killed after `timeoutMs`) and returns its exit code and output. */
export async function runToEnd(
  command: string,
  options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<{ code: number | string; output: string }> {
  const child = shell(command, options);
  const timer = setTimeout(() => void child.stop(), options.timeoutMs);
  const code = await child.exited;
  clearTimeout(timer);
  return { code, output: child.output };
}

/** A free loopback port (for the ports a second process has to know in advance). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/**
 * A copy of the repository as a fresh clone has it (tracked and new files, nothing ignored: no
 * node_modules, no dist), under the system's temp dir, with `brine` and `brine-bench` on PATH as
 * `npm install -g` would put them. `.venv` links to this checkout's Salt venvs when they exist.
 */
export function freshCopy(): { dir: string; bin: string; env: NodeJS.ProcessEnv; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'brine-docs-'));
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && f !== '.venv' && existsSync(join(ROOT, f)));
  for (const f of files) cpSync(join(ROOT, f), join(dir, f), { recursive: false, verbatimSymlinks: true });
  if (existsSync(join(ROOT, '.venv'))) symlinkSync(realpathSync(join(ROOT, '.venv')), join(dir, '.venv'));
  const bin = join(dir, '.bin');
  mkdirSync(bin);
  const shim = (name: string, target: string) =>
    writeFileSync(join(bin, name), `#!/bin/sh\nexec node ${join(dir, target)} "$@"\n`, { mode: 0o755 });
  shim('brine', 'packages/cli/dist/bin.js');
  shim('brine-bench', 'packages/bench/dist/bin.js');
  return {
    dir,
    bin,
    env: { PATH: `${bin}:${process.env.PATH ?? ''}` },
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
