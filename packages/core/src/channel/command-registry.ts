import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { CommandHandler } from './commands.js';

export interface RegisterCommandOptions {
  /** Replace a command already registered under this name (built-ins included). Default false. */
  replace?: boolean;
}

/**
 * The encrypted commands a master serves, by name: an explicit allow-list (anything else is refused
 * with `ERR_UNKNOWN_COMMAND`). The master registers Salt's (`_return`, `_minion_event`, ...);
 * an app adds its own with `master.commands.register(name, handler)`.
 */
export class CommandRegistry {
  private readonly handlers = new Map<string, CommandHandler>();

  /** Adds `handler` under `name`; returns a function that removes it. */
  register(name: string, handler: CommandHandler, options: RegisterCommandOptions = {}): () => void {
    if (typeof name !== 'string' || name === '' || name.length > 256) {
      throw new ConfigError(
        ErrorCodes.INVALID_ARGUMENT,
        'a command name is a non-empty string of at most 256 characters',
        {
          details: { name: String(name).slice(0, 64) },
        },
      );
    }
    if (typeof handler !== 'function') {
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `command '${name}' needs a handler function`);
    }
    if (this.handlers.has(name) && !options.replace) {
      throw new ConfigError(
        ErrorCodes.INVALID_ARGUMENT,
        `command '${name}' is already registered (pass { replace: true } to replace it)`,
        {
          details: { name },
        },
      );
    }
    this.handlers.set(name, handler);
    return () => {
      if (this.handlers.get(name) === handler) this.handlers.delete(name);
    };
  }

  get(name: string): CommandHandler | undefined {
    return this.handlers.get(name);
  }

  has(name: string): boolean {
    return this.handlers.has(name);
  }

  names(): string[] {
    return [...this.handlers.keys()].sort();
  }
}
