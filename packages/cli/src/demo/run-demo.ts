import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { StateError, ErrorCodes, formatAddress, type Address, type LogLevel, TimeoutError } from '@brine/contracts';
import { createMaster, createMinion, type JobResult, type Master } from '@brine/core';
import { FsKeyStore } from '@brine/core/node';
import { logBusEvents } from '../event-log.js';
import type { Io } from '../io.js';
import { createCliLogger, type CliLogger } from '../logging.js';
import { formatKeys, toSaltKeyData } from '../output/key.js';
import { formatNested } from '../output/nested.js';
import { buildSuite, fitAlgorithms, transportsFor } from '../wiring.js';
import { Closers } from './closers.js';
import { demoMasterConfig, demoMinionConfig } from './configs.js';
import { Deadline } from './deadline.js';
import { demoMinionIds, Narrator } from './narrator.js';
import { ReturnLog, waitForAuthAct } from './waits.js';

export interface DemoOptions {
  transport: string;
  minions: number;
  crypto: string;
  logLevel: LogLevel;
  /** The whole demo, start to finish. */
  timeoutSeconds: number;
}

/**
 * `brine demo`: a master and `minions` minions in this process on 127.0.0.1, in a temporary folder.
 * Keys land in pending, get accepted through the master's KeyManager, the minions authenticate,
 * then test.ping and test.echo go round. Throws (naming the step) on any failure or on timeout.
 */
export async function runDemo(options: DemoOptions, io: Io): Promise<void> {
  const story = new Narrator(io);
  const deadline = new Deadline(options.timeoutSeconds);
  const closers = new Closers();
  const loggers: CliLogger[] = [];
  const logger = (label: string) => {
    const cli = createCliLogger({ level: options.logLevel, label, name: `brine.${label}`, stderr: io.stderr });
    loggers.push(cli);
    return cli.logger;
  };
  const root = await mkdtemp(join(tmpdir(), 'brine-demo-'));
  try {
    const ids = demoMinionIds(options.minions);
    story.say(
      'demo',
      `1 master + ${ids.length} minions on 127.0.0.1 over ${options.transport} (crypto: ${options.crypto})`,
    );
    story.say('demo', `temporary pki dirs under ${root}`);
    const transports = await transportsFor(options.transport);
    const built = await buildSuite({ crypto: options.crypto }, logger('demo'));
    closers.add(() => built.close());
    const wiring = (pki: string, label: string) => ({
      transports,
      suite: built.suite,
      keyStore: new FsKeyStore(pki),
      logger: logger(label),
    });

    deadline.step = 'starting the master';
    const masterConfig = fitAlgorithms(demoMasterConfig(root, options), built.suite);
    const masterWiring = wiring(masterConfig.pki_dir!, 'master');
    const master = createMaster(masterConfig, masterWiring);
    closers.add(() => master.close());
    closers.add(logBusEvents(master.bus, masterWiring.logger));
    const pending = waitForAuthAct(master, ids, 'pend');
    master.bus.subscribe('salt/', (event) => story.masterEvent(event));
    const addresses = await deadline.bound(master.start());
    const scheme = options.transport === 'ws' ? 'ws' : 'tcp';
    story.say(
      'master',
      `publish ${formatAddress(addresses.publish, scheme)}  request ${formatAddress(addresses.request, scheme)}`,
    );

    deadline.step = 'starting the minions';
    const returned = new ReturnLog();
    const started = ids.map((id) => {
      const config = fitAlgorithms(demoMinionConfig(root, id, portOf(addresses.request), options), built.suite);
      const minion = createMinion(config, wiring(config.pki_dir!, id));
      closers.add(() => minion.close());
      story.watchMinion(minion, (jid) => returned.record(jid, id));
      const start = minion.start({ signal: deadline.signal });
      start.catch(() => {}); // awaited below; a failure also ends the wait for pending keys
      return start;
    });
    const allStarted = Promise.all(started).then(() => undefined);

    deadline.step = 'waiting for the minion keys to reach pending';
    await deadline.bound(Promise.race([pending, allStarted]));
    story.section('Keys before acceptance (brine key -L)');
    story.block(formatKeys(toSaltKeyData(await master.keys.list())));

    deadline.step = 'accepting the keys';
    story.section('Accepting the keys (brine key -a)');
    for (const id of await master.keys.accept(ids.join(','))) story.say('key', `Key for minion ${id} accepted.`);
    story.section('Keys after acceptance (brine key -L)');
    story.block(formatKeys(toSaltKeyData(await master.keys.list())));

    deadline.step = 'waiting for the minions to authenticate';
    story.section('Handshake');
    await deadline.bound(allStarted);
    for (const id of ids) story.handshake(id);

    deadline.step = 'test.ping';
    story.section("brine run '*' test.ping");
    const ping = await roundTrip(master, 'test.ping', [], ids, returned, deadline);
    story.block(formatNested(ping.result.returns), 0);
    story.say(
      'master',
      `test.ping: ${ping.result.minions.length}/${ids.length} minions returned True in ${ping.ms.toFixed(1)} ms (jid ${ping.result.jid})`,
    );

    deadline.step = 'test.echo';
    story.section("brine run '*' test.echo 'hello from brine'");
    const echo = await roundTrip(master, 'test.echo', ['hello from brine'], ids, returned, deadline);
    story.block(formatNested(echo.result.returns), 0);
    story.say('master', `test.echo: ${echo.result.minions.length}/${ids.length} minions in ${echo.ms.toFixed(1)} ms`);

    deadline.step = 'closing';
    story.section('Closing');
    await closers.closeAll((error) => story.say('demo', `close failed: ${(error as Error).message}`));
    story.say('demo', `${ids.length} minions and the master closed`);
    story.say('demo', `done in ${Math.round(story.elapsed())} ms`);
  } finally {
    deadline.dispose();
    await closers.closeAll();
    await rm(root, { recursive: true, force: true }).catch(() => {});
    await Promise.all(loggers.map((l) => l.close()));
  }
}

/** `master.run('*', fun, arg)`; every minion must return, and see its return acknowledged. */
async function roundTrip(
  master: Master,
  fun: string,
  arg: unknown[],
  ids: readonly string[],
  returned: ReturnLog,
  deadline: Deadline,
): Promise<{ result: JobResult; ms: number }> {
  const t = performance.now();
  const result = await deadline.bound(master.run('*', fun, arg, { timeoutSeconds: 10 }));
  const ms = performance.now() - t;
  if (result.missing.length > 0) {
    throw new TimeoutError(ErrorCodes.TIMEOUT, `no ${fun} return from ${result.missing.join(', ')} within 10 s`);
  }
  await deadline.bound(returned.waitFor(result.jid, ids));
  return { result, ms };
}

function portOf(address: Address): number {
  if (!('port' in address)) throw new StateError(ErrorCodes.INVALID_STATE, 'the master has no TCP request port');
  return address.port;
}
