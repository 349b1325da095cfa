import { BrineError, ErrorCodes, type BrineErrorOptions, type ErrorCode } from '@brine/contracts';

/** A key store refused an entry (symlink, FIFO, path outside pki_dir) or its storage failed. */
export class KeyStoreError extends BrineError {
  static override name = 'KeyStoreError';
  constructor(message: string, options?: BrineErrorOptions, code: ErrorCode = ErrorCodes.KEY_STORE) {
    super(code, message, options);
  }
}

/** `<name>.pem` exists without `<name>.pub`: stores never generate over an existing private key. */
export function missingPublicKey(name: string, location: string): KeyStoreError {
  return new KeyStoreError(`${name}.pem exists but ${name}.pub is missing`, { details: { name, location } });
}
