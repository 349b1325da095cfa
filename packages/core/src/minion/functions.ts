import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { Dict } from '../protocol/values.js';

export interface FunctionContext {
  jid: string;
  /** This minion's id. */
  id: string;
  /** Aborts when the minion stops. */
  signal: AbortSignal;
}

/** A function a minion can run (`test.ping`, or one the embedding app registers). */
export type MinionFunction = (args: unknown[], kwargs: Dict, context: FunctionContext) => unknown;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** The functions a minion exposes, by Salt name (`module.function`). */
export class FunctionRegistry {
  private readonly functions = new Map<string, MinionFunction>();

  constructor(builtins = true) {
    if (builtins) {
      this.register('test.ping', () => true);
      this.register('test.echo', (args) => (args.length > 0 ? String(args[0]) : ''));
      this.register('test.arg', (args, kwargs) => ({ args, kwargs }));
      this.register('sys.list_functions', () => this.names());
    }
  }

  register(name: string, fn: MinionFunction): this {
    if (!NAME.test(name))
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `function name '${name}' is not module.function`);
    this.functions.set(name, fn);
    return this;
  }

  get(name: string): MinionFunction | undefined {
    return this.functions.get(name);
  }

  names(): string[] {
    return [...this.functions.keys()].sort();
  }
}

/** Splits Salt's `arg` list into positional args and the trailing `{__kwarg__: true, ...}` dict. */
export function splitArgs(arg: unknown): { args: unknown[]; kwargs: Dict } {
  const list = Array.isArray(arg) ? [...arg] : [];
  const last = list[list.length - 1];
  if (last && typeof last === 'object' && !Array.isArray(last) && (last as Dict).__kwarg__ === true) {
    list.pop();
    const { __kwarg__: _k, ...kwargs } = last as Dict;
    return { args: list, kwargs };
  }
  return { args: list, kwargs: {} };
}
