import { ErrorCodes, ConfigError } from '@brine/contracts';
import { intOption, parseCommandArgs, secondsOption, usageError } from '../args.js';
import { pluginNameProblem } from '@brine/core/node';
import { runDemo } from '../demo/run-demo.js';
import { println, type Io } from '../io.js';
import { toLogLevel } from '../logging.js';
import { HELP } from './help.js';

const OPTIONS = {
  transport: { type: 'string' },
  minions: { type: 'string' },
  crypto: { type: 'string' },
  'log-level': { type: 'string', short: 'l' },
  timeout: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** `brine demo`: the whole story in one process; exit 0 when every step worked. */
export async function demoCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('demo', argv, OPTIONS);
  if (values.help) {
    println(io.stdout, HELP.demo);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`brine demo takes no arguments (got '${positionals[0]}')`);
  const minions = intOption('minions', values.minions, 1) ?? 3;
  if (minions > 100) throw new ConfigError(ErrorCodes.CONFIG, `--minions is at most 100, got ${minions}`);
  await runDemo(
    {
      transport: pluginName('transport', values.transport) ?? 'zeromq',
      crypto: pluginName('crypto', values.crypto) ?? 'salt',
      minions,
      logLevel: toLogLevel(values['log-level'] ?? 'critical', '--log-level'),
      timeoutSeconds: secondsOption('timeout', values.timeout) ?? 60,
    },
    io,
  );
  return 0;
}

function pluginName(kind: 'transport' | 'crypto', value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const problem = pluginNameProblem(kind, value);
  if (problem) throw usageError(`--${problem}`);
  return value;
}
