import type { BrineError } from '@brine/contracts';
import { isBrineError, ErrorCodes, TransportError } from '@brine/contracts';

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENOENT',
]);
const LOST = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'ERR_STREAM_DESTROYED']);

function isTlsCode(code: string): boolean {
  return (
    code.startsWith('ERR_TLS') ||
    code.startsWith('ERR_SSL') ||
    code.includes('CERT') ||
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    code === 'SELF_SIGNED_CERT_IN_CHAIN' ||
    code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' ||
    code === 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY'
  );
}

/** Maps a Node socket error to a typed Brine error, keeping it as `cause`. */
export function socketError(error: unknown, target: string): BrineError {
  if (isBrineError(error)) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  const message = (error as Error)?.message ?? String(error);
  if (code === 'EADDRINUSE')
    return new TransportError(ErrorCodes.ADDRESS_IN_USE, `${target}: address already in use`, { cause: error });
  if (UNREACHABLE.has(code))
    return new TransportError(ErrorCodes.UNREACHABLE, `${target} unreachable: ${message}`, { cause: error });
  if (isTlsCode(code))
    return new TransportError(ErrorCodes.TLS, `TLS failure with ${target}: ${message}`, { cause: error });
  if (LOST.has(code))
    return new TransportError(ErrorCodes.CONNECTION_LOST, `connection to ${target} lost: ${message}`, { cause: error });
  return new TransportError(ErrorCodes.CONNECTION_LOST, `socket error with ${target}: ${message}`, { cause: error });
}
