import type { CryptoSuite } from './crypto/suite.js';
import type { TransportFactory } from './transport/types.js';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
const hasFunctions = (value: Record<string, unknown>, names: readonly string[]): boolean =>
  names.every((name) => typeof value[name] === 'function');

/** Whether `value` has the shape of a {@link TransportFactory} (what a transport package provides). */
export function isTransportFactory(value: unknown): value is TransportFactory {
  return (
    isObject(value) &&
    typeof value.name === 'string' &&
    value.name !== '' &&
    isObject(value.capabilities) &&
    hasFunctions(value, ['requestClient', 'requestServer', 'publishClient', 'publishServer', 'withOptions'])
  );
}

/** Whether `value` has the shape of a {@link CryptoSuite}. */
export function isCryptoSuite(value: unknown): value is CryptoSuite {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    Array.isArray(value.encAlgos) &&
    Array.isArray(value.sigAlgos) &&
    hasFunctions(value, ['generateKeyPair', 'importPrivateKey', 'importPublicKey', 'seal', 'open', 'sign', 'verify'])
  );
}
