export {
  BUILTIN_CRYPTO_SUITES,
  BUILTIN_CRYPTO_SUITE_NAMES,
  BUILTIN_TRANSPORTS,
  BUILTIN_TRANSPORT_NAMES,
  isBuiltinCryptoSuite,
  isBuiltinTransport,
  pluginNameProblem,
} from './catalogue.js';
export type { BuiltinCryptoSuiteName, BuiltinTransportName, PluginRef } from './catalogue.js';
export { loadCryptoSuite, loadTransport } from './load.js';
export type { LoadPluginOptions, Loaded } from './load.js';
