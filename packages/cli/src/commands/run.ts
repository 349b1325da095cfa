import { BrineError, ErrorCodes } from '@brine/contracts';
import { isDict, type JobResult } from '@brine/core';
import { controlRequest } from '@brine/core/node';
import { CONFIG_OPTIONS, oneOf, parseCommandArgs, secondsOption, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { println, type Io } from '../io.js';
import { formatOutput, OUTPUTTERS, type Outputter } from '../output/index.js';
import { parseSaltArgs } from '../salt-args.js';
import { HELP } from './help.js';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  'log-level': { type: 'string', short: 'l' },
  list: { type: 'boolean', short: 'L' },
  pcre: { type: 'boolean', short: 'E' },
  grain: { type: 'boolean', short: 'G' },
  'grain-pcre': { type: 'boolean', short: 'P' },
  compound: { type: 'boolean', short: 'C' },
  nodegroup: { type: 'boolean', short: 'N' },
  ipcidr: { type: 'boolean', short: 'S' },
  pillar: { type: 'boolean', short: 'I' },
  delimiter: { type: 'string' },
  timeout: { type: 'string', short: 't' },
  out: { type: 'string' },
  static: { type: 'boolean' },
  async: { type: 'boolean' },
  'batch-size': { type: 'string', short: 'b' },
} as const;

/** salt's target selection flags and the tgt_type each one publishes. */
const TARGET_FLAGS = [
  ['list', 'list'],
  ['pcre', 'pcre'],
  ['grain', 'grain'],
  ['grain-pcre', 'grain_pcre'],
  ['compound', 'compound'],
  ['nodegroup', 'nodegroup'],
  ['ipcidr', 'ipcidr'],
  ['pillar', 'pillar'],
] as const;

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
  const chosen = TARGET_FLAGS.filter(([flag]) => values[flag] === true);
  if (chosen.length > 1) throw usageError(`choose one target type, not ${chosen.map(([f]) => `--${f}`).join(' and ')}`);
  const tgtType = chosen[0]?.[1] ?? 'glob';
  const out = oneOf('out', values.out, OUTPUTTERS) ?? 'nested';
  const timeout = secondsOption('timeout', values.timeout);
  const batch = values['batch-size'] === undefined ? undefined : parseBatch(values['batch-size']);
  if (batch !== undefined && values.async) throw usageError('--async and --batch-size do not go together');
  const { arg, kwarg } = parseSaltArgs(rest);
  const { config, cli } = await loadContext('master', values, io);
  const target = { tgt, tgt_type: tgtType, ...(values.delimiter ? { delimiter: values.delimiter } : {}) };
  const control = (body: Record<string, unknown>, ms: number) =>
    controlRequest(config.sock_dir, body, ms, config.max_message_size);
  try {
    const seconds = timeout ?? config.timeout;
    cli.logger.debug(`Sending ${fun} to '${tgt}' (${tgtType}) through ${config.sock_dir}`);
    if (values.async) {
      const published = await control({ cmd: 'publish', ...target, fun, arg, kwarg }, CONTROL_MARGIN_MS);
      if (!isDict(published) || typeof published.jid !== 'string') {
        throw new BrineError(ErrorCodes.REMOTE, 'the master sent a malformed publish reply');
      }
      if (Array.isArray(published.minions) && published.minions.length === 0) return noMatch(io);
      println(io.stdout, `Executed command with job ID: ${published.jid}`);
      return ExitCodes.OK;
    }
    const runOne = async (t: Record<string, unknown>): Promise<JobResult> => {
      const result = await control(
        { cmd: 'run', ...t, fun, arg, kwarg, timeout: seconds },
        seconds * 1000 + CONTROL_MARGIN_MS,
      );
      if (!isJobResult(result)) throw new BrineError(ErrorCodes.REMOTE, 'the master sent a malformed job result');
      return result;
    };
    if (batch === undefined) return report(io, [await runOne(target)], out, values.static === true);
    // salt -b: the targeted minions in groups of N (or N%), each group run to completion.
    const selected = await control({ cmd: 'select', ...target }, CONTROL_MARGIN_MS);
    const ids = isDict(selected) && Array.isArray(selected.minions) ? selected.minions.map(String) : [];
    if (ids.length === 0) return noMatch(io);
    const size = batch.percent ? Math.max(1, Math.floor((ids.length * batch.value) / 100)) : batch.value;
    const results: JobResult[] = [];
    for (let i = 0; i < ids.length; i += size) {
      const group = ids.slice(i, i + size);
      if (out === 'nested' && !values.static) println(io.stdout, `\nExecuting run on ${JSON.stringify(group)}\n`);
      results.push(await runOne({ tgt: group, tgt_type: 'list' }));
    }
    return report(io, results, out, values.static === true);
  } finally {
    await cli.close();
  }
}

function parseBatch(text: string): { value: number; percent: boolean } {
  const percent = text.endsWith('%');
  const value = Number(percent ? text.slice(0, -1) : text);
  if (!Number.isInteger(value) || value <= 0)
    throw usageError(`--batch-size must be a positive count or percentage; got '${text}'`);
  return { value, percent };
}

function noMatch(io: Io): number {
  println(io.stdout, 'No minions matched the target. No command was sent, no jid was assigned.');
  println(io.stderr, 'ERROR: No return received');
  return ExitCodes.USAGE;
}

function isJobResult(value: unknown): value is JobResult {
  return isDict(value) && typeof value.jid === 'string' && Array.isArray(value.minions) && isDict(value.returns);
}

/**
 * Prints the returns like salt (each minion's output on its own, or all at once with `--static`);
 * the exit code tells whether every targeted minion returned success.
 */
function report(io: Io, results: JobResult[], out: Outputter, merged: boolean): number {
  if (results.every((r) => r.minions.length === 0)) return noMatch(io);
  const data: Record<string, unknown> = {};
  let failed = false;
  for (const result of results) {
    for (const id of [...result.minions].sort()) {
      if (id in result.returns) {
        data[id] = result.returns[id];
        const detail = result.details?.[id];
        const retcode = isDict(detail) ? detail.retcode : 0;
        if ((typeof retcode === 'number' && retcode !== 0) || (isDict(detail) && detail.success === false))
          failed = true;
      } else {
        data[id] = 'Minion did not return. [No response]';
        failed = true;
      }
    }
  }
  if (merged || out === 'nested' || out === 'txt') println(io.stdout, formatOutput(out, data));
  else for (const [id, value] of Object.entries(data)) println(io.stdout, formatOutput(out, { [id]: value }));
  if (failed) {
    println(io.stderr, 'ERROR: Minions returned with non-zero exit code');
    return ExitCodes.GENERIC;
  }
  return ExitCodes.OK;
}
