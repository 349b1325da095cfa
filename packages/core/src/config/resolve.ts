import { ErrorCodes, ConfigError, type TransportFactory, type TransportOptions } from '@brine/contracts';
import { isValidMinionId } from '../keystore/minion-id.js';
import { MASTER_DEFAULTS, MINION_DEFAULTS } from './defaults.js';
import type { CommonConfig, MasterConfig, MinionConfig } from './types.js';

/** Fills Salt's defaults into a partial master config and checks every value's type. Throws ConfigError. */
export function resolveMasterConfig(partial: Partial<MasterConfig> & Record<string, unknown> = {}): MasterConfig {
  return check({ ...MASTER_DEFAULTS, ...defined(partial) }, MASTER_DEFAULTS, 'master');
}

/** Fills Salt's defaults into a partial minion config. `id` is required and validated. Throws ConfigError. */
export function resolveMinionConfig(partial: Partial<MinionConfig> & Record<string, unknown> = {}): MinionConfig {
  const config = check({ ...MINION_DEFAULTS, ...defined(partial) }, MINION_DEFAULTS, 'minion');
  if (!isValidMinionId(config.id))
    throw new ConfigError(ErrorCodes.CONFIG, `minion id ${JSON.stringify(config.id)} is not valid`);
  return config;
}

/**
 * The transport options a daemon config implies: the shared ones core knows, then the transport's
 * own read by their Salt names (`TransportFactory.optionsFromConfig`), then `extra`.
 */
export function transportOptionsOf<O extends TransportOptions>(
  config: CommonConfig,
  transport: TransportFactory<O>,
  extra: TransportOptions = {},
): TransportOptions & Partial<O> {
  const shared: TransportOptions = {
    reconnect: {
      reconDefault: config.recon_default,
      reconMax: config.recon_max,
      reconRandomize: config.recon_randomize,
    },
    maxMessageSize: config.max_message_size,
    ipv6: config.ipv6,
    tcpKeepalive: config.tcp_keepalive,
    tcpKeepaliveIdle: config.tcp_keepalive_idle,
    ...(config.ssl ? { ssl: config.ssl } : {}),
  };
  const own: Partial<O> = transport.optionsFromConfig?.({ ...config }) ?? {};
  return { ...shared, ...own, ...extra };
}

function defined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Every known option must keep its default's type; unknown options are kept (Salt ignores them too). */
function check<T extends object>(config: T, defaults: T, role: string): T {
  for (const [key, dflt] of Object.entries(defaults)) {
    const value = (config as Record<string, unknown>)[key];
    if (dflt === null) continue;
    const ok = Array.isArray(dflt) ? Array.isArray(value) : typeof value === typeof dflt;
    if (!ok) {
      throw new ConfigError(
        ErrorCodes.CONFIG,
        `${role} option ${key} must be a ${Array.isArray(dflt) ? 'list' : typeof dflt}, got ${JSON.stringify(value)}`,
        {
          details: { option: key },
        },
      );
    }
  }
  return config;
}
