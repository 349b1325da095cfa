import type { DependencyContainer } from 'tsyringe';
import { resolveMasterConfig, resolveMinionConfig } from '../config/resolve.js';
import type { MasterConfig, MinionConfig } from '../config/types.js';
import type { CryptoSuite } from '../crypto/suite.js';
import { CredentialsCache } from '../auth/credentials-cache.js';
import { EventBus } from '../events/event-bus.js';
import type { KeyStore } from '../keystore/types.js';
import type { Logger } from '../logger.js';
import { Master } from '../master/master.js';
import { Minion } from '../minion/minion.js';
import type { TransportRegistry } from '../transport/registry.js';
import type { TransportFactory } from '../transport/types.js';
import { createBrineContainer } from './container.js';
import { TOKENS } from './tokens.js';

export interface DaemonWiring {
  /** Transports the config may name (`transport: zeromq|tcp|ws`). */
  transports: Iterable<TransportFactory>;
  /** The crypto backend (node:crypto's Salt suite in Node). */
  suite: CryptoSuite;
  keyStore: KeyStore;
  logger?: Logger;
  /** Parent container to inherit from. */
  parent?: DependencyContainer;
}

/** A child container holding everything one master needs; `container.resolve(Master)` builds it. */
export function createMasterContainer(config: Partial<MasterConfig>, wiring: DaemonWiring): DependencyContainer {
  const resolved = resolveMasterConfig(config);
  return daemonContainer(TOKENS.MasterConfig, resolved, resolved.transport, wiring);
}

/** A child container holding everything one minion needs; `container.resolve(Minion)` builds it. */
export function createMinionContainer(config: Partial<MinionConfig>, wiring: DaemonWiring): DependencyContainer {
  const resolved = resolveMinionConfig(config);
  return daemonContainer(TOKENS.MinionConfig, resolved, resolved.transport, wiring);
}

function daemonContainer(
  configToken: symbol,
  config: object,
  transport: string,
  wiring: DaemonWiring,
): DependencyContainer {
  const c = createBrineContainer({
    transports: wiring.transports,
    ...(wiring.logger ? { logger: wiring.logger } : {}),
    ...(wiring.parent ? { parent: wiring.parent } : {}),
  });
  c.registerInstance(configToken, config);
  c.registerInstance(TOKENS.Transport, c.resolve<TransportRegistry>(TOKENS.TransportRegistry).get(transport));
  c.registerInstance(TOKENS.CryptoSuite, wiring.suite);
  c.registerInstance(TOKENS.KeyStore, wiring.keyStore);
  c.registerInstance(TOKENS.EventBus, new EventBus());
  // Minions under one parent share credentials (Salt's creds_map) when the parent holds a cache.
  if (!c.isRegistered(TOKENS.CredentialsCache, true))
    c.registerInstance(TOKENS.CredentialsCache, new CredentialsCache());
  return c;
}

/** Shorthand: a Master built through its own child container. */
export function createMaster(config: Partial<MasterConfig>, wiring: DaemonWiring): Master {
  return createMasterContainer(config, wiring).resolve(Master);
}

/** Shorthand: a Minion built through its own child container. */
export function createMinion(config: Partial<MinionConfig>, wiring: DaemonWiring): Minion {
  return createMinionContainer(config, wiring).resolve(Minion);
}
