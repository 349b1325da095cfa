export { ErrorCodes, type ErrorCode } from './codes.js';
export {
  ERROR_CATALOGUE,
  errorClassOf,
  type CodesOf,
  type ErrorCatalogueEntry,
  type ErrorClassName,
} from './catalogue.js';
export {
  AbortError,
  AuthError,
  BrineError,
  brineError,
  ClosedError,
  ConfigError,
  CryptoError,
  hasErrorCode,
  isBrineError,
  KeyStoreError,
  ProtocolError,
  StateError,
  TimeoutError,
  toBrineError,
  TransportError,
  type BrineErrorOptions,
} from './classes.js';
