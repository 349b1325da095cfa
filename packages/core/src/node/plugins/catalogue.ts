/**
 * The one catalogue of Brine's built-in transports and crypto suites: the short names a config or
 * the command line may use (`transport: zeromq`, `crypto: nacl`) and the package export each one
 * loads. Anything else is taken as a package name (`transport: '@acme/brine-transport-x'`).
 */
export interface PluginRef {
  /** Package (or package subpath) to import. */
  readonly module: string;
  /** The export to use; undefined: the module's default export (the third-party convention). */
  readonly exportName?: string;
}

export const BUILTIN_TRANSPORTS = {
  zeromq: { module: '@brine/transport-zmq', exportName: 'zmqTransport' },
  tcp: { module: '@brine/transport-tcp', exportName: 'tcpTransport' },
  ws: { module: '@brine/transport-ws', exportName: 'wsTransport' },
} as const satisfies Readonly<Record<string, PluginRef>>;

export const BUILTIN_CRYPTO_SUITES = {
  /** Salt's RSA/AES scheme on node:crypto (the default; talks to Salt). */
  salt: { module: '@brine/crypto/node', exportName: 'createNodeSaltSuite' },
  /** NaCl (X25519, Ed25519, XSalsa20-Poly1305) on node:crypto: Brine-to-Brine links. */
  nacl: { module: '@brine/crypto/node', exportName: 'createNodeNaclSuite' },
  /** Salt's scheme in pure JavaScript (node-forge), for runtimes without node:crypto. */
  'salt-forge': { module: '@brine/crypto/forge', exportName: 'createForgeSaltSuite' },
  /** The NaCl suite on tweetnacl (pure JavaScript). */
  'nacl-tweetnacl': { module: '@brine/crypto/nacl', exportName: 'createNaclSuite' },
} as const satisfies Readonly<Record<string, PluginRef>>;

export type BuiltinTransportName = keyof typeof BUILTIN_TRANSPORTS;
export type BuiltinCryptoSuiteName = keyof typeof BUILTIN_CRYPTO_SUITES;

export const BUILTIN_TRANSPORT_NAMES = Object.keys(BUILTIN_TRANSPORTS) as BuiltinTransportName[];
export const BUILTIN_CRYPTO_SUITE_NAMES = Object.keys(BUILTIN_CRYPTO_SUITES) as BuiltinCryptoSuiteName[];

export function isBuiltinTransport(name: string): name is BuiltinTransportName {
  return Object.hasOwn(BUILTIN_TRANSPORTS, name);
}

export function isBuiltinCryptoSuite(name: string): name is BuiltinCryptoSuiteName {
  return Object.hasOwn(BUILTIN_CRYPTO_SUITES, name);
}

/** A package name as npm accepts it (`name`, `@scope/name`), with an optional subpath. */
export const PACKAGE_SPEC = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*(\/[A-Za-z0-9._~-]+)*$/;

/** Why `value` cannot name a transport (a built-in or a package), or undefined when it can. */
export function pluginNameProblem(kind: 'transport' | 'crypto', value: unknown): string | undefined {
  const builtins = kind === 'transport' ? BUILTIN_TRANSPORT_NAMES : BUILTIN_CRYPTO_SUITE_NAMES;
  if (typeof value === 'string' && ((builtins as readonly string[]).includes(value) || PACKAGE_SPEC.test(value)))
    return undefined;
  return `${kind} must be one of ${builtins.join(', ')} or a package name; got ${JSON.stringify(value)}`;
}
