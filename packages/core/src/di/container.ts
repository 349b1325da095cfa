import './reflect.js';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { silentLogger, type Logger } from '../logger.js';
import { TransportRegistry } from '../transport/registry.js';
import type { TransportFactory, TransportOptions } from '../transport/types.js';
import { TOKENS } from './tokens.js';

export type { DependencyContainer };

export interface BrineContainerOptions {
  /** Parent to inherit registrations from. Defaults to a fresh child of tsyringe's root (nothing is registered on the root). */
  parent?: DependencyContainer;
  /** Transports to register by name. */
  transports?: Iterable<TransportFactory>;
  logger?: Logger;
}

/**
 * A container for one Brine instance (a Master, a Minion, a test). Every instance gets its own
 * child container, so two masters in one process never share state.
 */
export function createBrineContainer(options: BrineContainerOptions = {}): DependencyContainer {
  const c = (options.parent ?? rootContainer).createChildContainer();
  const registry = new TransportRegistry(options.transports ?? []);
  c.registerInstance(TOKENS.TransportRegistry, registry);
  c.registerInstance(TOKENS.Logger, options.logger ?? silentLogger);
  return c;
}

/**
 * Binds the contract tokens (Transport, RequestClient, ...) to the transport named `name` from the
 * container's registry. Each resolve of a client/server token builds a new instance.
 */
export function useTransport(c: DependencyContainer, name: string, options: TransportOptions = {}): TransportFactory {
  const factory = c.resolve<TransportRegistry>(TOKENS.TransportRegistry).get(name);
  const logger = c.resolve<Logger>(TOKENS.Logger);
  const withLogger: TransportOptions = { logger: logger.child(`transport.${factory.name}`), ...options };
  c.registerInstance(TOKENS.Transport, factory);
  c.registerInstance(TOKENS.TransportOptions, withLogger);
  c.register(TOKENS.RequestClient, { useFactory: () => factory.requestClient(withLogger) });
  c.register(TOKENS.RequestServer, { useFactory: () => factory.requestServer(withLogger) });
  c.register(TOKENS.PublishClient, { useFactory: () => factory.publishClient(withLogger) });
  c.register(TOKENS.PublishServer, { useFactory: () => factory.publishServer(withLogger) });
  return factory;
}
