import { BrineError, ErrorCodes } from '@brine/contracts';
import { isDict, type JobResult } from '@brine/core';
import { controlRequest } from '@brine/core/node';
import { CONFIG_OPTIONS, oneOf, parseCommandArgs, secondsOption, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { println, type Io } from '../io.js';
import { formatOutput, OUTPUTTERS } from '../output/index.js';
import { parseSaltArgs } from '../salt-args.js';
import { HELP } from './help.js';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  'log-level': { type: 'string', short: 'l' },
  list: { type: 'boolean', short: 'L' },
  pcre: { type: 'boolean', short: 'E' },
  timeout: { type: 'string', short: 't' },
  out: { type: 'string' },
} as const;

/** Extra time the control socket waits beyond the job timeout (publishing, collecting). */
const CONTROL_MARGIN_MS = 10_000;

/** `brine run '<target>' <function> [args...]`: salt's CLI, through the local master's control socket. */
export async function runCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, OPTIONS);
  if (values.help) {
    println(io.stdout, HELP.run);
    return 0;
  }
  const [tgt, fun, ...rest] = positionals;
  if (tgt === undefined || fun === undefined)
    throw usageError("brine run needs a target and a function: brine run '*' test.ping");
  if (values.list && values.pcre) throw usageError('choose one of -L/--list and -E/--pcre');
  const out = oneOf('out', values.out, OUTPUTTERS) ?? 'nested';
  const timeout = secondsOption('timeout', values.timeout);
  const { arg, kwarg } = parseSaltArgs(rest);
  const tgtType = values.list ? 'list' : values.pcre ? 'pcre' : 'glob';
  const { config, cli } = await loadContext('master', values, io);
  try {
    const seconds = timeout ?? config.timeout;
    cli.logger.debug(`Sending ${fun} to '${tgt}' (${tgtType}) through ${config.sock_dir}`);
    const result = await controlRequest(
      config.sock_dir,
      { cmd: 'run', tgt, fun, arg, kwarg, tgt_type: tgtType, timeout: seconds },
      seconds * 1000 + CONTROL_MARGIN_MS,
      config.max_message_size,
    );
    if (!isJobResult(result)) throw new BrineError(ErrorCodes.REMOTE, 'the master sent a malformed job result');
    return report(io, result, out);
  } finally {
    await cli.close();
  }
}

function isJobResult(value: unknown): value is JobResult {
  return isDict(value) && typeof value.jid === 'string' && Array.isArray(value.minions) && isDict(value.returns);
}

/** Prints the returns like salt; the exit code tells whether every targeted minion returned success. */
function report(io: Io, result: JobResult, out: (typeof OUTPUTTERS)[number]): number {
  if (result.minions.length === 0) {
    println(io.stdout, 'No minions matched the target. No command was sent, no jid was assigned.');
    println(io.stderr, 'ERROR: No return received');
    return ExitCodes.USAGE;
  }
  const data: Record<string, unknown> = {};
  let failed = false;
  for (const id of [...result.minions].sort()) {
    if (id in result.returns) {
      data[id] = result.returns[id];
      const detail = result.details?.[id];
      const retcode = isDict(detail) ? detail.retcode : 0;
      if ((typeof retcode === 'number' && retcode !== 0) || (isDict(detail) && detail.success === false)) failed = true;
    } else {
      data[id] = 'Minion did not return. [No response]';
      failed = true;
    }
  }
  println(io.stdout, formatOutput(out, data));
  if (failed) {
    println(io.stderr, 'ERROR: Minions returned with non-zero exit code');
    return ExitCodes.GENERIC;
  }
  return ExitCodes.OK;
}
