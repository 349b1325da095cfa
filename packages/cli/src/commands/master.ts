import { formatAddress } from '@brine/contracts';
import { createMaster, type Master } from '@brine/core';
import { FsKeyStore, MasterIpc, startMaintenance } from '@brine/core/node';
import { CONFIG_OPTIONS, parseCommandArgs, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { logBusEvents } from '../event-log.js';
import { ensureDirs } from '../fs.js';
import { println, type Io } from '../io.js';
import { onShutdown } from '../signals.js';
import { buildSuite, fitAlgorithms, transportsFor } from '../wiring.js';
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
  try {
    await ensureDirs([config.pki_dir, config.cachedir, config.sock_dir]);
    const transports = await transportsFor(config.transport);
    const built = await buildSuite(config, logger);
    cleanups.push(() => built.close());
    const master: Master = createMaster(fitAlgorithms(config, built.suite), {
      transports,
      suite: built.suite,
      keyStore: new FsKeyStore(config.pki_dir),
      logger,
    });
    cleanups.push(() => master.close());
    master.onError((error) => logger.warning(`Refused a request: ${error.message}`, error));
    cleanups.push(logBusEvents(master.bus, logger.child('event')));
    const addresses = await master.start();
    const ipc = new MasterIpc(master, config.sock_dir, logger.child('ipc'));
    cleanups.push(() => ipc.close());
    await ipc.start();
    cleanups.push(startMaintenance(master, config.cachedir, config.loop_interval, logger.child('maintenance')));
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
