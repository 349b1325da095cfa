import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built binary: tests drive `node dist/bin.js` as a user would (build first: `npx tsc -b packages/cli`). */
export const CLI = fileURLToPath(new URL('../dist/bin.js', import.meta.url));

export function assertBuilt(): void {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run 'npx tsc -b packages/cli' first`);
}

export interface CliChild {
  proc: ChildProcess;
  readonly stdout: string;
  readonly stderr: string;
  /** Resolves with the first stdout/stderr line matching `re` (already printed or to come); rejects on exit or timeout. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<string>;
  /** Resolves with the exit code once the process ends. */
  exited: Promise<number | null>;
}

const children = new Set<ChildProcess>();

/** Starts `brine <args>`; killed by `killChildren()` if still running. */
export function startCli(
  args: string[],
  options: {
    input?: string;
    env?: NodeJS.ProcessEnv;
    /** A command to run node under, e.g. prlimit. */ prefix?: string[];
  } = {},
): CliChild {
  const [command, ...pre] = [...(options.prefix ?? []), process.execPath];
  const proc = spawn(command!, [...pre, CLI, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  children.add(proc);
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => ((stdout += d), wake()));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => ((stderr += d), wake()));
  if (options.input !== undefined) proc.stdin!.end(options.input);
  const exited = new Promise<number | null>((resolve) =>
    proc.on('exit', (code) => {
      children.delete(proc);
      // let the pipes drain before anyone reads the output
      setImmediate(() => {
        wake();
        resolve(code);
      });
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  return {
    proc,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    waitFor(re: RegExp, timeoutMs = 20_000): Promise<string> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => finish(new Error(`timed out waiting for ${re}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`)),
          timeoutMs,
        );
        const finish = (error?: Error, line?: string) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error) reject(error);
          else resolve(line!);
        };
        const check = () => {
          const line = `${stdout}\n${stderr}`.split('\n').find((l) => re.test(l));
          if (line !== undefined) return finish(undefined, line);
          if (done)
            finish(new Error(`process exited before printing ${re}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
        };
        waiters.add(check);
        check();
      });
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `brine <args>` to the end (at most `timeoutMs`). */
export async function runCli(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  const child = startCli(args, { input: options.input ?? '' });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      child.proc.kill('SIGKILL');
      reject(new Error(`brine ${args.join(' ')} did not finish\n${child.stdout}\n${child.stderr}`));
    }, options.timeoutMs ?? 30_000);
  });
  try {
    const code = await Promise.race([child.exited, timeout]);
    return { code, stdout: child.stdout, stderr: child.stderr };
  } finally {
    clearTimeout(timer);
  }
}

/** SIGKILLs every child still running (for afterEach). */
export async function killChildren(): Promise<void> {
  const running = [...children];
  await Promise.all(
    running.map(
      (proc) =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once('exit', () => resolve());
          proc.kill('SIGKILL');
        }),
    ),
  );
  children.clear();
}

const dirs: string[] = [];

export async function tempDir(prefix = 'brine-cli-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  dirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** A port that was free a moment ago (bind 0, read, close). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
