import { bytes } from '@brine/contracts';
import { keyFormatError } from './errors.js';

export interface Pem {
  label: string;
  body: Uint8Array;
}

const PEM_RE = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/** The first PEM block in `text`. Throws CryptoError `ERR_KEY_FORMAT`. */
export function readPem(text: string): Pem {
  const match = typeof text === 'string' ? PEM_RE.exec(text) : null;
  if (!match) throw keyFormatError('not a PEM key');
  const inner = match[2]!;
  // An encrypted PEM (Proc-Type/DEK-Info headers) is not a key Brine can read.
  if (inner.includes(':')) throw keyFormatError(`PEM ${match[1]} has headers (encrypted?)`);
  try {
    return { label: match[1]!, body: bytes.fromBase64(inner) };
  } catch (error) {
    throw keyFormatError(`PEM ${match[1]} body is not base64`, error);
  }
}

/** PEM text with 64-column lines, LF endings and a final newline (what OpenSSL writes). */
export function writePem(label: string, body: Uint8Array): string {
  const b64 = bytes.toBase64(body);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
