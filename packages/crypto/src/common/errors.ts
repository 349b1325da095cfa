import { AuthError, ConfigError, CryptoError, ErrorCodes } from '@brine/contracts';

const withCause = (cause: unknown): { cause?: unknown } => (cause === undefined ? {} : { cause });

export function keyFormatError(message: string, cause?: unknown): CryptoError {
  return new CryptoError(ErrorCodes.KEY_FORMAT, message, withCause(cause));
}

export function cryptoError(message: string, cause?: unknown): CryptoError {
  return new CryptoError(ErrorCodes.CRYPTO, message, withCause(cause));
}

export function invalidArgument(message: string): ConfigError {
  return new ConfigError(ErrorCodes.INVALID_ARGUMENT, message);
}

/** What a session cipher throws for a wrong key, tampering or truncation (Salt: AuthenticationError). */
export function authenticationFailed(cause?: unknown): AuthError {
  return new AuthError(ErrorCodes.AUTHENTICATION, 'message authentication failed', withCause(cause));
}

/** A narrowing to one backend's key class; a key of any other backend is CryptoError `ERR_KEY_FORMAT`. */
export function ownKey<From, Key extends From>(
  type: abstract new (...args: never[]) => Key,
  message: string,
): (key: From) => Key {
  return (key) => {
    if (!(key instanceof type)) throw keyFormatError(message);
    return key;
  };
}
