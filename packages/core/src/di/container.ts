import './reflect.js';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import type { TransportRegistry } from '@brine/contracts';
import { silentLogger, type Logger, type TransportFactory } from '@brine/contracts';
import { CredentialsCache } from '../auth/credentials-cache.js';
import { resolveMasterConfig, resolveMinionConfig } from '../config/resolve.js';
import type { MasterConfig, MinionConfig } from '../config/types.js';
import { registryOf, type DaemonWiring } from '../daemons.js';
import { EventBus } from '../events/event-bus.js';
import { Master } from '../master/master.js';
import { Minion } from '../minion/minion.js';
import { TOKENS } from './tokens.js';

export type { DependencyContainer };

export interface BrineContainerOptions {
  /** Parent to inherit registrations from. Defaults to a fresh child of tsyringe's root (nothing is registered on the root). */
  parent?: DependencyContainer;
  /** Transports to register by name (or a registry holding them). */
  transports?: Iterable<TransportFactory> | TransportRegistry;
  logger?: Logger;
}

/**
 * A container for one Brine instance (a Master, a Minion, a test). Every instance gets its own
 * child container, so two masters in one process never share state. `Master` and `Minion` resolve
 * through factories over the tokens (no decorators: core itself needs no Reflect polyfill).
 */
export function createBrineContainer(options: BrineContainerOptions = {}): DependencyContainer {
  const c = (options.parent ?? rootContainer).createChildContainer();
  c.registerInstance(TOKENS.TransportRegistry, registryOf(options.transports ?? []));
  c.registerInstance(TOKENS.Logger, options.logger ?? silentLogger);
  c.register(Master, {
    useFactory: (r) =>
      new Master({
        config: r.resolve<MasterConfig>(TOKENS.MasterConfig),
        transport: r.resolve<TransportFactory>(TOKENS.Transport),
        suite: r.resolve(TOKENS.CryptoSuite),
        keyStore: r.resolve(TOKENS.KeyStore),
        logger: r.resolve<Logger>(TOKENS.Logger),
        ...optional(r, TOKENS.EventBus, (bus: EventBus) => ({ bus })),
      }),
  });
  c.register(Minion, {
    useFactory: (r) =>
      new Minion({
        config: r.resolve<MinionConfig>(TOKENS.MinionConfig),
        transport: r.resolve<TransportFactory>(TOKENS.Transport),
        suite: r.resolve(TOKENS.CryptoSuite),
        keyStore: r.resolve(TOKENS.KeyStore),
        logger: r.resolve<Logger>(TOKENS.Logger),
        ...optional(r, TOKENS.EventBus, (bus: EventBus) => ({ bus })),
        ...optional(r, TOKENS.CredentialsCache, (credentials: CredentialsCache) => ({ credentials })),
      }),
  });
  return c;
}

function optional<T, R extends object>(r: DependencyContainer, token: symbol, pick: (value: T) => R): R | object {
  if (!r.isRegistered(token, true)) return {};
  const value = r.resolve<T | undefined>(token);
  return value === undefined ? {} : pick(value);
}

/** A child container holding everything one master needs; `container.resolve(Master)` builds it. */
export function createMasterContainer(
  config: Partial<MasterConfig>,
  wiring: DaemonWiring & { parent?: DependencyContainer },
): DependencyContainer {
  const resolved = resolveMasterConfig(config);
  const c = daemonContainer(resolved.transport, wiring);
  c.registerInstance(TOKENS.MasterConfig, resolved);
  return c;
}

/** A child container holding everything one minion needs; `container.resolve(Minion)` builds it. */
export function createMinionContainer(
  config: Partial<MinionConfig>,
  wiring: DaemonWiring & { parent?: DependencyContainer },
): DependencyContainer {
  const resolved = resolveMinionConfig(config);
  const c = daemonContainer(resolved.transport, wiring);
  c.registerInstance(TOKENS.MinionConfig, resolved);
  // Minions under one parent share credentials (Salt's creds_map) when the parent holds a cache.
  if (wiring.credentials) c.registerInstance(TOKENS.CredentialsCache, wiring.credentials);
  else if (!c.isRegistered(TOKENS.CredentialsCache, true))
    c.registerInstance(TOKENS.CredentialsCache, new CredentialsCache());
  return c;
}

function daemonContainer(
  transport: string,
  wiring: DaemonWiring & { parent?: DependencyContainer },
): DependencyContainer {
  const c = createBrineContainer({
    transports: wiring.transports,
    ...(wiring.logger ? { logger: wiring.logger } : {}),
    ...(wiring.parent ? { parent: wiring.parent } : {}),
  });
  c.registerInstance(TOKENS.Transport, c.resolve<TransportRegistry>(TOKENS.TransportRegistry).get(transport));
  c.registerInstance(TOKENS.CryptoSuite, wiring.suite);
  c.registerInstance(TOKENS.KeyStore, wiring.keyStore);
  c.registerInstance(TOKENS.EventBus, wiring.bus ?? new EventBus());
  return c;
}
