import { ConfigError, ErrorCodes } from '../errors/index.js';
import type { TransportFactory } from './types.js';

/**
 * Maps a transport name (`zeromq`, `tcp`, `ws`) to its factory. One registry per container:
 * there is no process-wide registry. Transport packages export a factory function; the app (or the
 * CLI) registers the ones it wants.
 */
export class TransportRegistry {
  private readonly factories = new Map<string, TransportFactory>();

  constructor(factories: Iterable<TransportFactory> = []) {
    for (const f of factories) this.register(f);
  }

  register(factory: TransportFactory, aliases: readonly string[] = []): this {
    for (const name of [factory.name, ...aliases]) this.factories.set(name, factory);
    return this;
  }

  has(name: string): boolean {
    return this.factories.has(name);
  }

  /** The factory for `name`; throws `ERR_UNKNOWN_TRANSPORT` listing the registered names. */
  get(name: string): TransportFactory {
    const factory = this.factories.get(name);
    if (!factory) {
      const known = [...this.factories.keys()].sort().join(', ') || 'none';
      throw new ConfigError(ErrorCodes.UNKNOWN_TRANSPORT, `unknown transport '${name}' (registered: ${known})`, {
        details: { transport: name },
      });
    }
    return factory;
  }

  names(): string[] {
    return [...new Set([...this.factories.values()].map((f) => f.name))];
  }
}
