import { ErrorCodes, KeyStoreError } from '@brine/contracts';

export { KeyStoreError };

/** `<name>.pem` exists without `<name>.pub`: stores never generate over an existing private key. */
export function missingPublicKey(name: string, location: string): KeyStoreError {
  return new KeyStoreError(ErrorCodes.KEY_STORE, `${name}.pem exists but ${name}.pub is missing`, {
    details: { name, location },
  });
}
