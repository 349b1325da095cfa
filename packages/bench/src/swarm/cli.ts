/** `brine-bench swarm [options]`: the scale run (see run-swarm.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, ErrorCodes } from '@brine/contracts';
import { parseList } from '../options.js';
import { repoRoot } from '../repo.js';
import { TRANSPORTS, type TransportName } from '../results.js';
import { preloadTransports } from '../transports.js';
import { defaultProcesses, formatSwarm, runSwarm, type SwarmResult } from './run-swarm.js';

export const SWARM_USAGE = `Usage: brine-bench swarm [options]

N real Brine minions (each its own RSA-2048 key, cached in ~/.cache/brine-bench/rsa-2048 or
$BRINE_BENCH_KEY_DIR) spread over several processes against one Brine master: cold sign-in storm,
master memory per minion, event-loop delay, publish to all and to 1%. Raises the open-file limit
with prlimit (as root, the hard limit too); ZeroMQ minion processes raise libzmq's socket limit.

Options:
  --minions <n>        minions (default 1000)
  --transports <list>  ${TRANSPORTS.join(',')} (default all, one after the other)
  --procs <n>          minion processes (default 1 per 2,500 minions, at least 2)
  --keys <n>           distinct keys, shared round-robin (default one per minion)
  --json <file>        results (default bench-results/swarm.json)
  --cpu-prof <dir>     run the master and minion processes with --cpu-prof into <dir>
  -h, --help           this text
`;

function positiveInt(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `${name} must be a positive integer (got '${value}')`);
  return n;
}

export async function swarmMain(argv: string[]): Promise<number> {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        minions: { type: 'string' },
        transports: { type: 'string' },
        procs: { type: 'string' },
        keys: { type: 'string' },
        json: { type: 'string' },
        'cpu-prof': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    process.stderr.write(
      `brine-bench swarm: ${error instanceof Error ? error.message : String(error)}\n\n${SWARM_USAGE}`,
    );
    return 2;
  }
  if (values.help) {
    process.stdout.write(SWARM_USAGE);
    return 0;
  }
  const minions = positiveInt(values.minions, '--minions', 1000);
  const transports: TransportName[] = values.transports
    ? parseList(values.transports, TRANSPORTS, 'transport')
    : [...TRANSPORTS];
  const processes = positiveInt(values.procs, '--procs', defaultProcesses(minions));
  const keys = positiveInt(values.keys, '--keys', minions);
  await preloadTransports();
  const results: SwarmResult[] = [];
  let complete = true;
  for (const transport of transports) {
    const r = await runSwarm({
      transport,
      minions,
      processes,
      distinctKeys: keys,
      ...(values['cpu-prof'] ? { cpuProf: resolve(values['cpu-prof']) } : {}),
      log: (line) => process.stderr.write(`${line}\n`),
    });
    process.stdout.write(formatSwarm(r));
    results.push(r);
    complete &&= r.complete;
  }
  const file = resolve(values.json ?? join(repoRoot(), 'bench-results', 'swarm.json'));
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(
    file,
    JSON.stringify({ schema: 'brine-swarm/1', at: new Date().toISOString(), results }, null, 2) + '\n',
  );
  process.stderr.write(`wrote ${file}\n`);
  return complete ? 0 : 1;
}
