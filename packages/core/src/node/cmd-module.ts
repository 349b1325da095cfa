/**
 * Salt's `cmd` execution module (run, run_all, retcode, shell) for a Node minion. Opt-in: it gives
 * whoever controls the master a shell on this host, so the CLI registers it only with
 * `enable_cmd_module: true` and an embedding app calls `registerCmdModule` itself.
 */
import { spawn } from 'node:child_process';
import type { Dict, FunctionRegistry } from '../index.js';

interface RunResult {
  pid: number;
  retcode: number;
  stdout: string;
  stderr: string;
}

const SPEC_ARGS = ['cmd', 'cwd', 'stdin', 'runas', 'shell', 'env', 'timeout'];

function runShell(kwargs: Dict, cmd: string, merge: boolean, signal: AbortSignal): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const env = typeof kwargs.env === 'object' && kwargs.env !== null ? (kwargs.env as Record<string, string>) : {};
    const child = spawn(typeof kwargs.shell === 'string' ? kwargs.shell : '/bin/sh', ['-c', cmd], {
      cwd: typeof kwargs.cwd === 'string' ? kwargs.cwd : (process.env.HOME ?? '/'),
      env: { ...process.env, ...env },
      signal,
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(typeof kwargs.timeout === 'number' && kwargs.timeout > 0 ? { timeout: kwargs.timeout * 1000 } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => (merge ? out : err).push(b));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      const trim = (bs: Buffer[]) => Buffer.concat(bs).toString('utf8').replace(/\n$/, '');
      resolve({ pid: child.pid ?? 0, retcode: code ?? (sig ? 1 : 0), stdout: trim(out), stderr: trim(err) });
    });
    if (typeof kwargs.stdin === 'string') child.stdin.end(kwargs.stdin);
    else child.stdin.end();
  });
}

function command(args: unknown[], kwargs: Dict): string {
  const cmd = args[0] ?? kwargs.cmd;
  if (typeof cmd !== 'string' || cmd === '') throw new Error('cmd.run needs a command');
  return cmd;
}

/** Registers cmd.run, cmd.run_all, cmd.retcode, cmd.shell (Salt's signatures, common options). */
export function registerCmdModule(functions: FunctionRegistry): void {
  const spec = { args: SPEC_ARGS, defaults: SPEC_ARGS.length - 1, keywords: true };
  const run = async (args: unknown[], kwargs: Dict, ctx: { signal: AbortSignal; setRetcode?: (n: number) => void }) => {
    const r = await runShell(kwargs, command(args, kwargs), true, ctx.signal);
    ctx.setRetcode?.(r.retcode);
    return r.stdout;
  };
  functions.register('cmd.run', run, { ...spec, doc: 'Execute the passed command and return the output as a string' });
  functions.register('cmd.shell', run, { ...spec, doc: 'Execute the passed command in a shell and return the output' });
  functions.register(
    'cmd.run_all',
    async (args, kwargs, ctx) => {
      const r = await runShell(kwargs, command(args, kwargs), kwargs.redirect_stderr === true, ctx.signal);
      ctx.setRetcode?.(r.retcode);
      return r;
    },
    { ...spec, doc: 'Execute the passed command and return a dict of pid, retcode, stdout and stderr' },
  );
  functions.register(
    'cmd.retcode',
    async (args, kwargs, ctx) => (await runShell(kwargs, command(args, kwargs), false, ctx.signal)).retcode,
    { ...spec, doc: 'Execute a shell command and return the command’s return code' },
  );
}
