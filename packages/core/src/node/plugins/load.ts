import {
  brineError,
  ConfigError,
  CryptoError,
  ErrorCodes,
  isCryptoSuite,
  isTransportFactory,
  type CryptoSuite,
  type TransportFactory,
} from '@brine/contracts';
import { pathToFileURL } from 'node:url';
import {
  BUILTIN_CRYPTO_SUITES,
  BUILTIN_TRANSPORTS,
  isBuiltinCryptoSuite,
  isBuiltinTransport,
  PACKAGE_SPEC,
  type PluginRef,
} from './catalogue.js';
import { resolvePackage } from './resolve.js';

export interface LoadPluginOptions {
  /**
   * Where to look for packages, nearest first: directories or `file:` URLs (`import.meta.url` of the
   * app). Default: the current directory. The built-in packages are found through the app that
   * depends on them (the CLI passes its own location).
   */
  from?: readonly string[];
}

/** A loaded plugin and where it came from (a worker thread can load the same export again). */
export interface Loaded<T> {
  value: T;
  /** The resolved module URL and the export used. */
  module: string;
  exportName: string;
}

const searchPath = (options: LoadPluginOptions): string[] => [
  ...(options.from ?? []),
  pathToFileURL(`${process.cwd()}/`).href,
];

async function importRef(
  kind: string,
  name: string,
  ref: PluginRef,
  options: LoadPluginOptions,
  code: typeof ErrorCodes.UNKNOWN_TRANSPORT | typeof ErrorCodes.UNSUPPORTED_SUITE,
) {
  const from = searchPath(options);
  const url = resolvePackage(ref.module, from);
  if (!url) {
    throw brineError(
      code,
      `${kind} '${name}': package ${ref.module} is not installed (looked in node_modules above ${from.join(', ')}); install it with npm i ${ref.module
        .split('/')
        .slice(0, ref.module.startsWith('@') ? 2 : 1)
        .join('/')}`,
      { details: { [kind]: name, module: ref.module } },
    );
  }
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    const first = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw brineError(code, `${kind} '${name}': package ${ref.module} failed to load: ${first}`, {
      cause: error,
      details: { [kind]: name, module: ref.module },
    });
  }
  return { url, module };
}

/** An export that is the plugin, or a function with no required argument returning it. */
function pick<T>(
  module: Record<string, unknown>,
  names: readonly string[],
  accept: (value: unknown) => value is T,
): [T, string] | undefined {
  for (const exportName of names) {
    const candidate = module[exportName];
    if (accept(candidate)) return [candidate, exportName];
    if (typeof candidate === 'function') {
      let made: unknown;
      try {
        made = (candidate as () => unknown)();
      } catch {
        continue;
      }
      if (accept(made)) return [made, exportName];
    }
  }
  return undefined;
}

/**
 * The transport a config names: a built-in (`zeromq`, `tcp`, `ws`) or a package whose default
 * export (or `transport` export) is a TransportFactory or a function returning one. Throws
 * ConfigError `ERR_UNKNOWN_TRANSPORT` naming the package when it is missing or exports no transport.
 */
export async function loadTransport(name: string, options: LoadPluginOptions = {}): Promise<Loaded<TransportFactory>> {
  const ref: PluginRef | undefined = isBuiltinTransport(name)
    ? BUILTIN_TRANSPORTS[name]
    : PACKAGE_SPEC.test(name)
      ? { module: name }
      : undefined;
  if (!ref) {
    throw new ConfigError(
      ErrorCodes.UNKNOWN_TRANSPORT,
      `unknown transport '${name}': use ${Object.keys(BUILTIN_TRANSPORTS).join(', ')} or a package name`,
      { details: { transport: name } },
    );
  }
  const { url, module } = await importRef('transport', name, ref, options, ErrorCodes.UNKNOWN_TRANSPORT);
  const found = pick(module, ref.exportName ? [ref.exportName] : ['default', 'transport'], isTransportFactory);
  if (!found) {
    throw new ConfigError(
      ErrorCodes.UNKNOWN_TRANSPORT,
      `transport '${name}': package ${ref.module} exports no transport (expected its default export, or \`transport\`, to be a TransportFactory or a function returning one)`,
      { details: { transport: name, module: ref.module } },
    );
  }
  return { value: found[0], module: url, exportName: found[1] };
}

/**
 * The crypto suite a config names: a built-in (`salt`, `nacl`, `salt-forge`, `nacl-tweetnacl`) or a
 * package whose default export (or `cryptoSuite` export) is a CryptoSuite or a function returning
 * one. Throws ConfigError `ERR_UNSUPPORTED_SUITE` naming the package when it is missing or exports none.
 */
export async function loadCryptoSuite(name: string, options: LoadPluginOptions = {}): Promise<Loaded<CryptoSuite>> {
  const ref: PluginRef | undefined = isBuiltinCryptoSuite(name)
    ? BUILTIN_CRYPTO_SUITES[name]
    : PACKAGE_SPEC.test(name)
      ? { module: name }
      : undefined;
  if (!ref) {
    throw new CryptoError(
      ErrorCodes.UNSUPPORTED_SUITE,
      `unknown crypto suite '${name}': use ${Object.keys(BUILTIN_CRYPTO_SUITES).join(', ')} or a package name`,
      { details: { crypto: name } },
    );
  }
  const { url, module } = await importRef('crypto', name, ref, options, ErrorCodes.UNSUPPORTED_SUITE);
  const found = pick(module, ref.exportName ? [ref.exportName] : ['default', 'cryptoSuite'], isCryptoSuite);
  if (!found) {
    throw new CryptoError(
      ErrorCodes.UNSUPPORTED_SUITE,
      `crypto '${name}': package ${ref.module} exports no crypto suite (expected its default export, or \`cryptoSuite\`, to be a CryptoSuite or a function returning one)`,
      { details: { crypto: name, module: ref.module } },
    );
  }
  return { value: found[0], module: url, exportName: found[1] };
}
