import type { JidCache } from './minion/jid-cache.js';
import type { GrainsProvider } from './minion/grains.js';
import {
  TransportRegistry,
  silentLogger,
  type CryptoSuite,
  type Logger,
  type TransportFactory,
} from '@brine/contracts';
import type { CredentialsCache } from './auth/credentials-cache.js';
import { resolveMasterConfig, resolveMinionConfig } from './config/resolve.js';
import type { MasterConfig, MinionConfig } from './config/types.js';
import type { EventBus } from './events/event-bus.js';
import type { KeyStore } from './keystore/types.js';
import { Master } from './master/master.js';
import { Minion } from './minion/minion.js';

/** What a daemon is built from, besides its config. */
export interface DaemonWiring {
  /**
   * Transports the config may name (`transport: zeromq | tcp | ws | <third party>`): factories,
   * registered by their names, or a registry (which may hold aliases such as a package name).
   */
  transports: Iterable<TransportFactory> | TransportRegistry;
  /** The crypto backend (node:crypto's Salt suite in Node). */
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger?: Logger;
  bus?: EventBus;
  /** Masters only: the process's soft RLIMIT_NOFILE (`readOpenFileLimit` from `@brine/core/node`). */
  openFileLimit?: () => number | undefined;
  /** Minions only: Salt's creds_map, shared by minions that should share credentials. */
  credentials?: CredentialsCache;
  /** Minions only: the jids already run (`FsJidCache` keeps them across restarts). */
  jidCache?: JidCache;
  /** Minions only: the core grains (`nodeGrains(config)` from `@brine/core/node` in Node). */
  grains?: GrainsProvider;
}

/** A Master for `config` (Salt's defaults filled in), on the transport the config names. */
export function createMaster(config: Partial<MasterConfig>, wiring: DaemonWiring): Master {
  const resolved = resolveMasterConfig(config);
  return new Master({
    config: resolved,
    transport: registryOf(wiring.transports).get(resolved.transport),
    suite: wiring.suite,
    keyStore: wiring.keyStore,
    logger: wiring.logger ?? silentLogger,
    ...(wiring.bus ? { bus: wiring.bus } : {}),
    ...(wiring.openFileLimit ? { openFileLimit: wiring.openFileLimit } : {}),
  });
}

/** A Minion for `config` (Salt's defaults filled in), on the transport the config names. */
export function createMinion(config: Partial<MinionConfig>, wiring: DaemonWiring): Minion {
  const resolved = resolveMinionConfig(config);
  return new Minion({
    config: resolved,
    transport: registryOf(wiring.transports).get(resolved.transport),
    suite: wiring.suite,
    keyStore: wiring.keyStore,
    logger: wiring.logger ?? silentLogger,
    ...(wiring.bus ? { bus: wiring.bus } : {}),
    ...(wiring.credentials ? { credentials: wiring.credentials } : {}),
    ...(wiring.jidCache ? { jidCache: wiring.jidCache } : {}),
    ...(wiring.grains ? { grains: wiring.grains } : {}),
  });
}

/** The wiring's registry (checked by shape, not `instanceof`: two installed copies must still work). */
export function registryOf(transports: DaemonWiring['transports']): TransportRegistry {
  const maybe = transports as Partial<TransportRegistry>;
  return typeof maybe.get === 'function' && typeof maybe.names === 'function'
    ? (transports as TransportRegistry)
    : new TransportRegistry(transports as Iterable<TransportFactory>);
}
