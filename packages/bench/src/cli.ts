import { parseArgs } from 'node:util';
import { ConfigError, ErrorCodes, isBrineError } from '@brine/contracts';
import { killAllChildren } from './children/parent.js';
import type { Pinning } from './context.js';
import { parseList, type BenchOptions } from './options.js';
import { FAMILIES, TRANSPORTS } from './results.js';
import { runBench } from './run.js';

export const USAGE = `Usage: brine-bench [options]
       brine-bench swarm [options]    (the scale run: brine-bench swarm --help)

Measures Brine's transports side by side with their raw libraries (zeromq.js, node:net, ws) and,
when a Salt venv exists, against a real salt-master. Servers and load generators run in
separate processes. Writes bench-results/latest.{json,html} and prints a table.

Options:
  --quick                     fewer sizes and shorter cells (whole run under a minute)
  --only <list>               families: ${FAMILIES.join(',')} (default all)
  --transports <list>         transports: ${TRANSPORTS.join(',')} (default all)
  --json <file>               JSON results file (default bench-results/latest.json)
  --html <file>               HTML report file (default bench-results/latest.html)
  --out-dir <dir>             folder for the default files (default <repo>/bench-results)
  --no-files                  write neither JSON nor HTML
  --update-benchmarks-md      rewrite the results section of BENCHMARKS.md
  --benchmarks-md <file>      which BENCHMARKS.md (default the repository's)
  --pin <off|split|same>      taskset: split = servers on CPU 0, load on CPU 1 (default off)
  --cpu-prof <dir>            run every bench process with --cpu-prof into <dir>
  --salt-venv <dir>           Salt venv (default .venv/salt-3008, then /tmp/saltvenv/v3008)
  --salt-transport <name>     transport for the Salt comparison (default zeromq)
  --from <file.json>          run nothing: render the table, HTML and BENCHMARKS.md from saved results
  --no-progress               no progress output on stderr
  -h, --help                  this text
`;

export function parseCli(argv: string[]): BenchOptions | 'help' {
  const { values } = parseArgs({
    // `pnpm bench -- --quick` hands the script a leading `--`.
    args: argv[0] === '--' ? argv.slice(1) : argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      only: { type: 'string' },
      transports: { type: 'string' },
      json: { type: 'string' },
      html: { type: 'string' },
      'out-dir': { type: 'string' },
      'no-files': { type: 'boolean' },
      'update-benchmarks-md': { type: 'boolean' },
      'benchmarks-md': { type: 'string' },
      pin: { type: 'string' },
      'cpu-prof': { type: 'string' },
      'salt-venv': { type: 'string' },
      'salt-transport': { type: 'string' },
      from: { type: 'string' },
      'no-progress': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const pin = values.pin ?? 'off';
  if (!['off', 'split', 'same'].includes(pin)) {
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `--pin must be off, split or same (got '${pin}')`);
  }
  const options: BenchOptions = { quick: values.quick ?? false, pin: pin as Pinning };
  if (values.only) options.only = parseList(values.only, FAMILIES, 'family');
  if (values.transports) options.transports = parseList(values.transports, TRANSPORTS, 'transport');
  if (values['no-files']) {
    options.json = false;
    options.html = false;
  }
  if (values.json) options.json = values.json;
  if (values.html) options.html = values.html;
  if (values['out-dir']) options.outDir = values['out-dir'];
  if (values['update-benchmarks-md'] || values['benchmarks-md']) {
    options.updateBenchmarksMd = values['benchmarks-md'] ?? true;
  }
  if (values['cpu-prof']) options.cpuProf = values['cpu-prof'];
  if (values['salt-venv']) options.saltVenv = values['salt-venv'];
  if (values.from) options.from = values.from;
  if (values['salt-transport'])
    options.saltTransport = parseList(values['salt-transport'], TRANSPORTS, 'transport')[0]!;
  if (values['no-progress']) options.progress = false;
  return options;
}

/** Runs the CLI; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  if (args[0] === 'swarm') return (await import('./swarm/cli.js')).swarmMain(args.slice(1));
  let options: BenchOptions | 'help';
  try {
    options = parseCli(argv);
  } catch (error) {
    process.stderr.write(`brine-bench: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  const onSignal = (): void => {
    killAllChildren();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const { files } = await runBench(options);
    for (const f of files) process.stderr.write(`wrote ${f}\n`);
    return 0;
  } catch (error) {
    const code = isBrineError(error) ? error.code : 'ERR';
    process.stderr.write(`brine-bench: ${code} ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
