import {
  brineError,
  ErrorCodes,
  ProtocolError,
  TransportError,
  type BrineError,
  isBrineError,
  type ErrorCode,
} from '@brine/contracts';

/** OpenSSL / Node TLS failure codes (certificate verification, handshake). */
const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'CERT_SIGNATURE_FAILURE',
  'HOSTNAME_MISMATCH',
  'ECONNRESET_TLS',
]);

export function isTlsErrorCode(code: unknown): boolean {
  return (
    typeof code === 'string' &&
    (TLS_CODES.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('CERT_'))
  );
}

/**
 * Maps an error from Node's net/tls/http or from `ws` to a typed Brine error. `fallback` is the code
 * for anything not recognized (`ERR_UNREACHABLE` while dialing, `ERR_CONNECTION_LOST` afterwards).
 */
export function fromNodeError(error: unknown, fallback: ErrorCode, context: string): BrineError {
  if (isBrineError(error)) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = `${context}: ${error instanceof Error ? error.message : String(error)}`;
  const details = typeof code === 'string' ? { nodeCode: code } : undefined;
  if (isTlsErrorCode(code) || /certificate|SSL routines|TLS/i.test(message)) {
    return new TransportError(ErrorCodes.TLS, message, { cause: error, details });
  }
  if (code === 'EADDRINUSE') {
    return new TransportError(ErrorCodes.ADDRESS_IN_USE, `${context}: address already in use`, {
      cause: error,
      details,
    });
  }
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, message, { cause: error, details });
  }
  if (typeof code === 'string' && code.startsWith('WS_ERR_')) {
    return new ProtocolError(ErrorCodes.BAD_FRAME, message, { cause: error, details });
  }
  if (typeof code === 'string' && code.startsWith('HPE_')) {
    return new ProtocolError(ErrorCodes.BAD_FRAME, message, { cause: error, details });
  }
  return brineError(fallback, message, { cause: error, details });
}
