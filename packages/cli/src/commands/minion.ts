import { AuthError, ErrorCodes, isBrineError, toBrineError, type BrineError } from '@brine/contracts';
import { createMinion, type AuthTransition } from '@brine/core';
import { FsJidCache, FsKeyStore, nodeGrains, registerCmdModule } from '@brine/core/node';
import { join } from 'node:path';
import { CONFIG_OPTIONS, parseCommandArgs, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { ExitCodes } from '../exit-codes.js';
import { ensureDirs } from '../fs.js';
import { println, type Io } from '../io.js';
import { acquireInstanceLock, pidfileOf } from '../instance-lock.js';
import { onServiceSignals, onShutdown } from '../signals.js';
import { buildSuite, fitAlgorithms, transportsFor } from '../wiring.js';
import { startDaemonMetrics } from '../metrics.js';
import { HELP } from './help.js';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  'log-level': { type: 'string', short: 'l' },
  transport: { type: 'string' },
  id: { type: 'string' },
  master: { type: 'string' },
  'master-port': { type: 'string' },
  crypto: { type: 'string' },
} as const;

/**
 * `brine minion`: signs in (waiting while its key is pending), serves jobs, reconnects on its own,
 * exits 0 on SIGINT/SIGTERM and 77 when the master rejects its key (as salt-minion does; the
 * library itself never exits the process).
 */
export async function minionCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('minion', argv, OPTIONS);
  if (values.help) {
    println(io.stdout, HELP.minion);
    return 0;
  }
  if (positionals.length > 0) throw usageError(`brine minion takes no arguments (got '${positionals[0]}')`);
  const { config, cli } = await loadContext('minion', values, io);
  const logger = cli.logger;
  const shutdown = onShutdown();
  let rejected: (error: BrineError) => void = () => {};
  const rejection = new Promise<BrineError>((resolve) => (rejected = resolve));
  const pidfile = pidfileOf(config);
  let lock: ReturnType<typeof acquireInstanceLock> | undefined;
  try {
    lock = pidfile ? acquireInstanceLock('minion', [pidfile]) : undefined;
  } catch (error) {
    await cli.close(); // the refusal leaves no log file open
    throw error;
  }
  const stops: Array<() => Promise<void>> = [];
  const stopSignals = onServiceSignals({
    reload: async () => {
      await cli.reopen();
      logger.info('Received SIGHUP: reopened the log file');
    },
    info: (name) => logger.info(`Received ${name}: ignored`),
  });
  try {
    await ensureDirs([config.pki_dir, config.cachedir]);
    const transports = await transportsFor(config.transport);
    const { suite } = await buildSuite({ crypto: config.crypto }, logger);
    const minion = createMinion(fitAlgorithms(config, suite), {
      transports,
      suite,
      keyStore: new FsKeyStore(config.pki_dir),
      logger,
      jidCache: await FsJidCache.open(join(config.cachedir, 'minion_jids'), config.minion_jid_cache),
      grains: nodeGrains(config),
    });
    if (config.enable_cmd_module) {
      registerCmdModule(minion.functions);
      logger.warning('enable_cmd_module is on: cmd.run and friends give the master a shell on this host');
    }
    minion.events.on('auth', (t: AuthTransition) => {
      logger.debug(`Auth state ${t.from} -> ${t.to}${t.retryIn !== undefined ? ` (retry in ${t.retryIn} s)` : ''}`);
      if (t.to === 'rejected' && !config.rejected_retry)
        rejected(t.error ?? new AuthError(ErrorCodes.AUTH_REJECTED, 'key rejected'));
    });
    const stopMetrics = await startDaemonMetrics(
      { kind: 'minion', minion },
      config,
      () => minion.auth?.state === 'authenticated',
      logger,
    );
    if (stopMetrics) stops.push(stopMetrics);
    minion.events.on('reconnect', () => logger.info(`Minion '${minion.id}' re-authenticated with ${minion.masterUri}`));
    try {
      const started = minion.start({ signal: shutdown.signal });
      const first = await Promise.race([started.then(() => undefined), rejection]);
      if (first) {
        await minion.close();
        await started.catch(() => {});
        return onRejected(first);
      }
    } catch (error) {
      if (shutdown.signal.aborted) {
        await minion.close();
        return ExitCodes.OK;
      }
      const typed = toBrineError(error, ErrorCodes.UNREACHABLE);
      if (isRejection(typed)) return onRejected(typed);
      throw typed;
    }
    logger.info(`Minion '${minion.id}' is up: signed in to ${minion.masterUri} over ${config.transport}`);
    const outcome = await Promise.race([shutdown.requested, rejection]);
    await minion.close();
    if (typeof outcome !== 'string') return onRejected(outcome);
    logger.info(`Received ${outcome}, minion stopped`);
    return ExitCodes.OK;
  } finally {
    for (const stop of stops)
      await stop().catch((error: unknown) => logger.warning('Error while shutting down', error));
    shutdown.dispose();
    stopSignals();
    lock?.release();
    await cli.close();
  }

  function onRejected(error: BrineError): number {
    // AsyncAuth has logged Salt's "The Salt Master has rejected this minion's public key!".
    logger.critical(`The Salt Minion will now exit (${error.code}).`);
    return ExitCodes.NOPERM;
  }
}

function isRejection(error: unknown): boolean {
  return isBrineError(error) && (error.code === ErrorCodes.AUTH_REJECTED || error.code === ErrorCodes.AUTH_DENIED);
}
