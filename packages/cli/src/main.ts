import { readFileSync } from 'node:fs';
import { isBrineError } from '@brine/contracts';
import { usageError } from './args.js';
import { HELP, helpCommand } from './commands/help.js';
import { exitCodeOf, ExitCodes } from './exit-codes.js';
import { println, processIo, type Io } from './io.js';

export type Command = (argv: string[], io: Io) => Promise<number>;

/** The subcommands, each loaded when used (so `brine key` never loads a transport). */
export const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  master: async () => (await import('./commands/master.js')).masterCommand,
  minion: async () => (await import('./commands/minion.js')).minionCommand,
  key: async () => (await import('./commands/key.js')).keyCommand,
  run: async () => (await import('./commands/run.js')).runCommand,
  demo: async () => (await import('./commands/demo.js')).demoCommand,
  bench: async () => (await import('./commands/bench.js')).benchCommand,
  help: async () => helpCommand,
};

/** Runs `brine <argv>` and returns the exit code; errors become one line on stderr (with the stack at debug). */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    println(name === undefined ? io.stderr : io.stdout, HELP.brine);
    return name === undefined ? ExitCodes.USAGE : ExitCodes.OK;
  }
  if (name === '-V' || name === '--version') {
    println(io.stdout, `brine ${version()}`);
    return ExitCodes.OK;
  }
  try {
    const load = COMMANDS[name];
    if (!load) throw usageError(`unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return await (
      await load()
    )(rest, io);
  } catch (error) {
    reportError(io, name, error, wantsDebug(rest));
    return exitCodeOf(error);
  }
}

function reportError(io: Io, command: string, error: unknown, debug: boolean): void {
  const code = isBrineError(error) ? ` [${error.code}]` : '';
  const message = error instanceof Error ? error.message : String(error);
  println(io.stderr, `brine ${command}: ${message}${code}`);
  if (!debug) return;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    println(io.stderr, e === error ? (e.stack ?? '') : `Caused by: ${e.stack ?? e.message}`);
  }
}

/** Whether the command line asks for debug logs (the config may not have loaded, so look at the flags). */
function wantsDebug(argv: string[]): boolean {
  const levels = new Set(['debug', 'trace', 'garbage', 'all', 'profile']);
  return argv.some((arg, i) => {
    if (arg.startsWith('--log-level=')) return levels.has(arg.slice(12));
    return (arg === '--log-level' || arg === '-l') && levels.has(argv[i + 1] ?? '');
  });
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
