/**
 * The everyday execution modules of a salt-minion, as Salt 3008 has them, for a Brine minion:
 * `test.*`, `grains.*`, `sys.*`, `saltutil.*` (the functions that make sense without Salt's
 * loader; the rest answer "not available" like a function Salt did not load). Powerful modules
 * (`cmd.*`) are not here: they are node-only and opt-in (`@brine/core/node`).
 */
import { delay } from '@brine/contracts';
import { traverseOr } from '../match/subdict.js';
import type { Dict } from '../protocol/values.js';
import { isDict } from '../protocol/values.js';
import type { FunctionRegistry, FunctionSpec } from './functions.js';

/** The Salt release a Brine minion answers as (test.version, the saltversion grain). */
export const SALT_COMPAT_VERSION = '3008.4';

/** What the modules need from the minion. */
export interface ModuleHost {
  readonly functions: FunctionRegistry;
  /** The minion's grains now. */
  grains(): Dict;
  /** Recomputes the grains (and re-sends them to the master). */
  refreshGrains(): Promise<void>;
  /** The pillar the master sent, `{}` when none. */
  pillar(): Dict;
  /** Re-requests the pillar (and re-sends the grains). */
  refreshPillar(): Promise<void>;
  /** Brine's version, reported beside Salt's. */
  readonly brineVersion: string;
}

const DELIM = ':';

/** A random int in [0, max] (Python's random.randint). */
function randint(max: number): number {
  return Math.floor(Math.random() * (Math.floor(max) + 1));
}

function sleepSeconds(seconds: number, signal: AbortSignal): Promise<true> {
  return delay(seconds * 1000, signal).then(() => true as const);
}

/** Python's `str(type(x))` for the JSON-ish values a job carries. */
export function pyTypeName(value: unknown): string {
  if (value === null || value === undefined) return "<class 'NoneType'>";
  if (typeof value === 'boolean') return "<class 'bool'>";
  if (typeof value === 'number') return Number.isInteger(value) ? "<class 'int'>" : "<class 'float'>";
  if (typeof value === 'bigint') return "<class 'int'>";
  if (typeof value === 'string') return "<class 'str'>";
  if (value instanceof Uint8Array) return "<class 'bytes'>";
  if (Array.isArray(value)) return "<class 'list'>";
  return "<class 'dict'>";
}

/** Python's `repr()` of the JSON-ish values a job carries. */
export function pyRepr(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (Number.isNaN(value)) return 'nan';
    if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
    return String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') {
    const quote = value.includes("'") && !value.includes('"') ? '"' : "'";
    const body = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t');
    return quote + (quote === "'" ? body.replace(/'/g, "\\'") : body) + quote;
  }
  if (value instanceof Uint8Array)
    return `b'${[...value].map((b) => (b >= 32 && b < 127 && b !== 39 && b !== 92 ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}'`;
  if (Array.isArray(value)) return `[${value.map(pyRepr).join(', ')}]`;
  return `{${Object.entries(value as Dict)
    .map(([k, v]) => `${pyRepr(k)}: ${pyRepr(v)}`)
    .join(', ')}}`;
}

function pyTuple(values: unknown[]): string {
  return values.length === 1 ? `(${pyRepr(values[0])},)` : `(${values.map(pyRepr).join(', ')})`;
}

/** Registers the standard modules on `host.functions`. */
export function registerStandardModules(host: ModuleHost): void {
  const f = host.functions;
  const reg = (name: string, spec: FunctionSpec, fn: Parameters<FunctionRegistry['register']>[1]) =>
    f.register(name, fn, spec);
  const userKwargs = (kwargs: Dict): Dict =>
    Object.fromEntries(Object.entries(kwargs).filter(([k]) => !k.startsWith('__pub_')));

  // test
  reg('test.version', { args: [], doc: 'Return the version of salt on the minion' }, () => SALT_COMPAT_VERSION);
  const versions = (): Dict => ({
    'Salt Version': { Salt: SALT_COMPAT_VERSION },
    'Brine Version': { Brine: host.brineVersion },
    'Dependency Versions': runtimeVersions(),
    'System Versions': systemVersions(),
  });
  reg('test.versions_information', { args: [] }, versions);
  const report = (): string => {
    const lines: string[] = [];
    for (const [section, entries] of Object.entries(versions())) {
      lines.push(`${section}:`);
      const width = Math.max(...Object.keys(entries as Dict).map((k) => k.length), 0);
      for (const [k, v] of Object.entries(entries as Dict)) lines.push(`${k.padStart(width + 10 - 4)}: ${String(v)}`);
      lines.push(' ');
    }
    return lines.slice(0, -1).join('\n');
  };
  reg('test.versions_report', { args: [] }, report);
  reg('test.versions', { args: [] }, report);
  reg('test.sleep', { args: ['length'] }, (args, kwargs, ctx) =>
    sleepSeconds(Math.trunc(Number(args[0] ?? kwargs.length)), ctx.signal),
  );
  reg('test.rand_sleep', { args: ['max'], defaults: 1 }, (args, kwargs, ctx) =>
    sleepSeconds(randint(Number(args[0] ?? kwargs.max ?? 60)), ctx.signal),
  );
  reg('test.kwarg', { keywords: true }, (_args, kwargs) => kwargs);
  reg('test.arg_type', { varargs: true, keywords: true }, (args, kwargs) => ({
    args: args.map(pyTypeName),
    kwargs: Object.fromEntries(Object.entries(kwargs).map(([k, v]) => [k, pyTypeName(v)])),
  }));
  reg('test.arg_repr', { varargs: true, keywords: true }, (args, kwargs) => ({
    args: pyTuple(args),
    kwargs: pyRepr(kwargs),
  }));
  reg('test.arg_clean', { varargs: true, keywords: true }, (args, kwargs) => ({ args, kwargs: userKwargs(kwargs) }));
  reg('test.fib', { args: ['num'] }, (args, kwargs) => {
    const num = Number(args[0] ?? kwargs.num);
    const start = Date.now();
    if (num < 0) throw new Error('Negative number is not allowed!');
    let [prev, curr] = [0, 1];
    if (num < 2) return [num, (Date.now() - start) / 1000];
    for (let i = 1; i < num; i++) [prev, curr] = [curr, prev + curr];
    return [curr, (Date.now() - start) / 1000];
  });
  reg('test.collatz', { args: ['start'] }, (args, kwargs) => {
    const begin = Date.now();
    let n = Math.trunc(Number(args[0] ?? kwargs.start));
    const steps: number[] = [];
    while (n > 1) {
      n = n % 2 === 0 ? n / 2 : 3 * n + 1;
      steps.push(n);
    }
    return [steps, (Date.now() - begin) / 1000];
  });
  reg('test.outputter', { args: ['data'] }, (args, kwargs) => args[0] ?? kwargs.data);
  reg('test.retcode', { args: ['code'], defaults: 1 }, (args, kwargs, ctx) => {
    ctx.setRetcode?.(Number(args[0] ?? kwargs.code ?? 42));
    return true;
  });
  reg('test.exception', { args: ['message'], defaults: 1 }, (args, kwargs) => {
    throw new Error(String(args[0] ?? kwargs.message ?? 'Test Exception'));
  });
  reg('test.true', { args: [] }, () => true);
  reg('test.false', { args: [] }, () => false);
  reg('test.tty', { varargs: true, keywords: true }, () => 'ERROR: This function has been moved to cmd.tty');
  reg('test.random_hash', { args: ['size', 'hash_type'], defaults: 2 }, () => randomHex(64));
  reg('test.not_loaded', { args: [] }, () => []);

  // grains
  reg('grains.items', { args: ['sanitize'], defaults: 1 }, () => host.grains());
  reg('grains.get', { args: ['key', 'default', 'delimiter', 'ordered'], defaults: 3 }, (args, kwargs) => {
    const [key, dflt, delimiter] = [
      args[0] ?? kwargs.key,
      args[1] ?? kwargs.default ?? '',
      args[2] ?? kwargs.delimiter,
    ];
    return traverseOr(host.grains(), String(key), dflt, typeof delimiter === 'string' ? delimiter : DELIM);
  });
  reg('grains.item', { varargs: true, keywords: true }, (args, kwargs) => {
    const out: Dict = {};
    const dflt = kwargs.default ?? '';
    const delimiter = typeof kwargs.delimiter === 'string' ? kwargs.delimiter : DELIM;
    for (const a of args) out[String(a)] = traverseOr(host.grains(), String(a), dflt, delimiter);
    return out;
  });
  reg('grains.ls', { args: [] }, () => Object.keys(host.grains()).sort());
  reg('grains.has_value', { args: ['key'] }, (args, kwargs) => {
    const v = traverseOr(host.grains(), String(args[0] ?? kwargs.key), undefined);
    return v !== undefined && v !== null && v !== false && v !== '' && !(Array.isArray(v) && v.length === 0);
  });
  reg('grains.equals', { args: ['key', 'value'] }, (args, kwargs) => {
    const v = traverseOr(host.grains(), String(args[0] ?? kwargs.key), undefined);
    return String(v) === String(args[1] ?? kwargs.value);
  });
  reg(
    'grains.filter_by',
    { args: ['lookup_dict', 'grain', 'merge', 'default', 'base'], defaults: 4 },
    (args, kwargs) => {
      const lookup = args[0] ?? kwargs.lookup_dict;
      if (!isDict(lookup)) return null;
      const grain = String(args[1] ?? kwargs.grain ?? 'os_family');
      const dflt = String(args[3] ?? kwargs.default ?? 'default');
      const value = traverseOr(host.grains(), grain, undefined);
      const key = value !== undefined && Object.hasOwn(lookup, String(value)) ? String(value) : dflt;
      return lookup[key] ?? null;
    },
  );

  // pillar (what the master sent; Brine masters send {})
  reg('pillar.items', { varargs: true, keywords: true }, () => host.pillar());
  reg(
    'pillar.get',
    { args: ['key', 'default', 'merge', 'merge_nested_lists', 'delimiter'], defaults: 4 },
    (args, kwargs) => traverseOr(host.pillar(), String(args[0] ?? kwargs.key), args[1] ?? kwargs.default ?? '', DELIM),
  );

  // sys
  reg('sys.list_modules', { varargs: true }, () => [...new Set(f.names().map((n) => n.split('.')[0]!))].sort());
  reg('sys.doc', { varargs: true }, (args) => {
    const out: Dict = {};
    const names = f.names();
    const wanted =
      args.length === 0 ? names : names.filter((n) => args.some((a) => n === a || n.startsWith(`${String(a)}.`)));
    for (const n of wanted) out[n] = f.spec(n)?.doc ?? null;
    return out;
  });
  reg('sys.argspec', { varargs: true }, (args) => {
    const out: Dict = {};
    for (const n of f.names()) {
      if (args.length > 0 && !args.some((a) => n === a || n.startsWith(`${String(a)}.`))) continue;
      const s = f.spec(n);
      out[n] = {
        args: [...(s?.args ?? [])],
        defaults: null,
        kwargs: s === undefined || s.keywords === true,
        varargs: s === undefined || s.varargs === true,
      };
    }
    return out;
  });

  // saltutil: Brine loads no modules from the master's file server; the syncs answer what was synced (nothing).
  for (const kind of [
    'all',
    'beacons',
    'clouds',
    'engines',
    'executors',
    'grains',
    'log_handlers',
    'matchers',
    'modules',
    'output',
    'pillar',
    'proxymodules',
    'renderers',
    'returners',
    'sdb',
    'serializers',
    'states',
    'thorium',
    'utils',
    'wrapper',
  ]) {
    reg(`saltutil.sync_${kind}`, { args: ['saltenv', 'refresh'], defaults: 2, keywords: true }, () =>
      kind === 'all' ? {} : [],
    );
  }
  reg('saltutil.refresh_grains', { keywords: true }, async () => {
    await host.refreshGrains();
    return true;
  });
  reg('saltutil.refresh_pillar', { keywords: true }, async () => {
    await host.refreshPillar();
    return true;
  });
  reg('saltutil.refresh_modules', { keywords: true }, () => true);
}

function randomHex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

type Proc = { versions?: Record<string, string>; platform?: string; arch?: string; release?: { name?: string } };

function proc(): Proc | undefined {
  return (globalThis as { process?: Proc }).process;
}

function runtimeVersions(): Dict {
  const v = proc()?.versions ?? {};
  const out: Dict = {};
  for (const key of ['node', 'v8', 'openssl', 'uv', 'zlib']) if (v[key] !== undefined) out[key] = v[key];
  return out;
}

function systemVersions(): Dict {
  const p = proc();
  return { system: p?.platform ?? 'unknown', machine: p?.arch ?? 'unknown' };
}
