import { join } from 'node:path';
import { formatAddress } from '@brine/contracts';
import { createMaster, type Master } from '@brine/core';
import { FsKeyStore, MasterIpc, readOpenFileLimit, startMaintenance } from '@brine/core/node';
import { CONFIG_OPTIONS, parseCommandArgs, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { logBusEvents } from '../event-log.js';
import { ensureDirs } from '../fs.js';
import { println, type Io } from '../io.js';
import { acquireInstanceLock, pidfileOf } from '../instance-lock.js';
import { onServiceSignals, onShutdown } from '../signals.js';
import { buildSuite, fitAlgorithms, transportsFor } from '../wiring.js';
import { refusalLogger } from '../refusal-log.js';
import { startDaemonMetrics } from '../metrics.js';
import { HELP } from './help.js';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  'log-level': { type: 'string', short: 'l' },
  transport: { type: 'string' },
  interface: { type: 'string' },
  'publish-port': { type: 'string' },
  'ret-port': { type: 'string' },
  id: { type: 'string' },
  crypto: { type: 'string' },
} as const;

/** `brine master`: runs until SIGINT/SIGTERM, then closes everything and exits 0. */
export async function masterCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('master', argv, OPTIONS);
  if (values.help) {
    println(io.stdout, HELP.master);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`brine master takes no arguments (got '${positionals[0]}')`);
  const { config, cli } = await loadContext('master', values, io);
  const logger = cli.logger;
  const shutdown = onShutdown();
  const cleanups: Array<() => unknown> = [];
  let master: Master | undefined;
  try {
    await ensureDirs([config.pki_dir, config.cachedir, config.sock_dir]);
    const pidfile = pidfileOf(config);
    const lock = acquireInstanceLock('master', [
      join(config.sock_dir, 'brine-master.pid'),
      ...(pidfile ? [pidfile] : []),
    ]);
    cleanups.push(() => lock.release());
    cleanups.push(
      onServiceSignals({
        reload: async () => {
          await cli.reopen();
          logger.info('Received SIGHUP: reopened the log file');
        },
        info: (name) =>
          logger.info(`Received ${name}: ignored (${master?.connectedMinions.length ?? 0} minions connected)`),
      }),
    );
    const transports = await transportsFor(config.transport);
    const built = await buildSuite(config, logger);
    cleanups.push(() => built.close());
    const keyStore = new FsKeyStore(config.pki_dir);
    cleanups.push(() => keyStore.close());
    master = createMaster(fitAlgorithms(config, built.suite), {
      transports,
      suite: built.suite,
      keyStore,
      logger,
      openFileLimit: readOpenFileLimit,
    });
    const started = master;
    let serving = false;
    // Before start, so /readyz answers 503 while the master binds; closed after the master, so it says 503 then too.
    const stopMetrics = await startDaemonMetrics(
      { kind: 'master', master: started },
      config,
      () => serving && started.status === 'running',
      logger,
    );
    if (stopMetrics) cleanups.push(stopMetrics);
    cleanups.push(() => {
      serving = false;
      return started.close();
    });
    started.onError(refusalLogger(logger));
    cleanups.push(logBusEvents(started.bus, logger.child('event')));
    const addresses = await started.start();
    const ipc = new MasterIpc(started, config.sock_dir, logger.child('ipc'));
    cleanups.push(() => ipc.close());
    await ipc.start();
    cleanups.push(startMaintenance(started, config.cachedir, config.loop_interval, logger.child('maintenance')));
    serving = true;
    const scheme = config.transport === 'ws' ? 'ws' : 'tcp';
    logger.info(
      `Brine master '${config.id}' listening over ${config.transport}: publish ${formatAddress(addresses.publish, scheme)}, ` +
        `request ${formatAddress(addresses.request, scheme)}, control socket in ${config.sock_dir}`,
    );
    const name = await shutdown.requested;
    logger.info(`Received ${name}, shutting down`);
    return 0;
  } finally {
    shutdown.dispose();
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.warning('Error while shutting down', error);
      }
    }
    logger.debug('Master closed');
    await cli.close();
  }
}
