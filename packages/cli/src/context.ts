import type { MasterConfig, MinionConfig } from '@brine/core';
import { flagsToOverrides } from './config/flags.js';
import { loadConfig, type LoadedConfig } from './config/load.js';
import type { Io } from './io.js';
import { createCliLogger, toLogFormat, toLogLevel, type CliLogger } from './logging.js';

export interface CommandContext<C> extends LoadedConfig<C> {
  cli: CliLogger;
}

/**
 * A command's config (files, then flags) and its logger; the config notes ("Reading configuration
 * from ...") are logged at debug once the logger exists, as Salt's daemons log them.
 */
export async function loadContext(
  role: 'master',
  values: Record<string, unknown>,
  io: Io,
): Promise<CommandContext<MasterConfig>>;
export async function loadContext(
  role: 'minion',
  values: Record<string, unknown>,
  io: Io,
): Promise<CommandContext<MinionConfig>>;
export async function loadContext(
  role: 'master' | 'minion',
  values: Record<string, unknown>,
  io: Io,
): Promise<CommandContext<MasterConfig | MinionConfig>> {
  const source = {
    configDir: values['config-dir'] as string | undefined,
    configFile: values.config as string | undefined,
    overrides: flagsToOverrides(values),
  };
  const loaded = role === 'master' ? await loadConfig('master', source) : await loadConfig('minion', source);
  const { config } = loaded;
  const logFile = typeof config.log_file === 'string' && config.log_file !== '' ? config.log_file : undefined;
  const fileLevel = config.log_level_logfile;
  const cli = createCliLogger({
    level: toLogLevel(config.log_level),
    logFile,
    logFileLevel: typeof fileLevel === 'string' ? toLogLevel(fileLevel, 'log_level_logfile') : undefined,
    consoleFormat: toLogFormat(config.log_fmt_console),
    fileFormat: toLogFormat(config.log_fmt_logfile),
    name: `brine.${role}`,
    stderr: io.stderr,
  });
  for (const note of loaded.notes) cli.logger.debug(note);
  for (const warning of loaded.warnings) cli.logger.warning(warning);
  return { ...loaded, cli };
}
