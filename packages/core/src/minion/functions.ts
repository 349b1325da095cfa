import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { Dict } from '../protocol/values.js';
import { yamlifyScalar } from './yamlify.js';

export interface FunctionContext {
  jid: string;
  /** This minion's id. */
  id: string;
  /** Aborts when the minion stops (or the job is killed). */
  signal: AbortSignal;
  /** Sets the job's retcode (Salt's `__context__["retcode"]`). */
  setRetcode?: (code: number) => void;
}

/** A function a minion can run (`test.ping`, or one the embedding app registers). */
export type MinionFunction = (args: unknown[], kwargs: Dict, context: FunctionContext) => unknown;

/**
 * A function's Python signature, as Salt's loader reads it (`get_function_argspec`), so that a
 * job's arguments are checked the way a salt-minion checks them (`load_args_and_kwargs`, then the
 * call's TypeError). Without a spec a function takes anything and gets no `__pub_*` kwargs.
 */
export interface FunctionSpec {
  /** Positional parameter names (`argspec.args`). */
  readonly args?: readonly string[];
  /** How many of the last `args` have defaults. */
  readonly defaults?: number;
  /** Takes `*args`. */
  readonly varargs?: boolean;
  /** Takes `**kwargs` (then gets the publish as `__pub_*` kwargs, as in Salt). */
  readonly keywords?: boolean;
  /** The docstring (`sys.doc`; appended to an argument error, as Salt does). */
  readonly doc?: string;
}

interface Entry {
  readonly fn: MinionFunction;
  readonly spec: FunctionSpec | undefined;
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$/;

/** Salt's `KWARG_REGEX`: `name=value` (name an identifier; dots and dashes after the first character). */
const KWARG = /^([\p{L}\p{Nl}_][\p{L}\p{N}_.-]*)=(?!=)([\s\S]*)$/u;

/** An argument error, answered like Salt's TypeError / SaltInvocationError of a bad call. */
export class ArgumentError extends Error {
  constructor(
    message: string,
    /** 'type': Python's TypeError ("Passed invalid arguments to ..."); 'invocation': SaltInvocationError. */
    readonly kind: 'type' | 'invocation',
  ) {
    super(message);
    this.name = 'ArgumentError';
  }
}

/** The functions a minion exposes, by Salt name (`module.function`). */
export class FunctionRegistry {
  private readonly functions = new Map<string, Entry>();

  constructor(builtins = true) {
    if (builtins) {
      this.register('test.ping', () => true, { args: [], doc: PING_DOC });
      this.register('test.echo', (args) => args[0], {
        args: ['text'],
        doc: 'Return a string - used for testing the connection',
      });
      this.register('test.arg', (args, kwargs) => ({ args, kwargs }), { varargs: true, keywords: true });
      this.register('sys.list_functions', () => this.names(), { varargs: true });
    }
  }

  register(name: string, fn: MinionFunction, spec?: FunctionSpec): this {
    if (!NAME.test(name))
      throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `function name '${name}' is not module.function`);
    this.functions.set(name, { fn, spec });
    return this;
  }

  get(name: string): MinionFunction | undefined {
    return this.functions.get(name)?.fn;
  }

  spec(name: string): FunctionSpec | undefined {
    return this.functions.get(name)?.spec;
  }

  has(name: string): boolean {
    return this.functions.has(name);
  }

  names(): string[] {
    return [...this.functions.keys()].sort();
  }
}

const PING_DOC = `
    Used to make sure the minion is up and responding. Not an ICMP ping.

    Returns \`\`True\`\`.

    CLI Example:

    .. code-block:: bash

        salt '*' test.ping
    `;

/** Splits Salt's \`arg\` list into positional args and the trailing \`{__kwarg__: true, ...}\` dict. */
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

/**
 * Salt's minion-side argument handling (salt/minion.py `load_args_and_kwargs`, then the Python
 * call): `{__kwarg__: true}` dicts and `name=value` strings become kwargs (a string kwarg's value
 * is yamlified), kwargs the function does not take are refused, the positional count is checked,
 * and a function with `**kwargs` gets the publish as `__pub_<key>`. Throws ArgumentError.
 */
export function bindArgs(
  fun: string,
  arg: unknown,
  spec: FunctionSpec | undefined,
  publish: Dict,
): { args: unknown[]; kwargs: Dict } {
  if (spec === undefined) return splitArgs(arg);
  const params = spec.args ?? [];
  const accepts = (key: string) => spec.keywords === true || params.includes(key);
  const args: unknown[] = [];
  const kwargs: Dict = {};
  const invalid: string[] = [];
  for (const a of Array.isArray(arg) ? arg : []) {
    if (a !== null && typeof a === 'object' && !Array.isArray(a) && (a as Dict).__kwarg__ === true) {
      for (const [key, value] of Object.entries(a as Dict)) {
        if (key === '__kwarg__') continue;
        if (accepts(key)) kwargs[key] = value;
        else invalid.push(`${key}=${pyText(value)}`);
      }
      continue;
    }
    const m = typeof a === 'string' && !/[\n]/.test(a) ? KWARG.exec(a) : null;
    if (m) {
      const value = yamlifyScalar(m[2]!);
      if (accepts(m[1]!)) kwargs[m[1]!] = value;
      else invalid.push(`${m[1]!}=${pyText(value)}`);
      continue;
    }
    args.push(a);
  }
  if (invalid.length > 0) {
    throw new ArgumentError(`The following keyword arguments are not valid: ${invalid.join(', ')}`, 'invocation');
  }
  const pyName = fun.slice(fun.indexOf('.') + 1);
  checkArity(pyName, params, spec, args, kwargs);
  if (spec.keywords) {
    for (const [key, value] of Object.entries(publish)) kwargs[`__pub_${key}`] = value;
  }
  return { args, kwargs };
}

function checkArity(name: string, params: readonly string[], spec: FunctionSpec, args: unknown[], kwargs: Dict): void {
  const defaults = Math.min(spec.defaults ?? 0, params.length);
  const required = params.length - defaults;
  if (!spec.varargs && args.length > params.length) {
    const takes =
      defaults > 0
        ? `from ${required} to ${params.length} positional arguments`
        : plural(params.length, 'positional argument');
    const given = args.length;
    throw new ArgumentError(`${name}() takes ${takes} but ${given} ${given === 1 ? 'was' : 'were'} given`, 'type');
  }
  for (let i = 0; i < args.length && i < params.length; i++) {
    if (Object.hasOwn(kwargs, params[i]!)) {
      throw new ArgumentError(`${name}() got multiple values for argument '${params[i]!}'`, 'type');
    }
  }
  const missing = params.slice(args.length, required).filter((p) => !Object.hasOwn(kwargs, p));
  if (missing.length > 0) {
    const names = missing.map((p) => `'${p}'`);
    const list = names.length === 1 ? names[0]! : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]!}`;
    throw new ArgumentError(
      `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`,
      'type',
    );
  }
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

/** Python's `str()` of a simple value, for error messages. */
export function pyText(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
