import { AuthError, ErrorCodes, ProtocolError } from '@brine/contracts';
import { isDict, type Dict } from './values.js';

/** The request envelope (`{enc, load, version[, id, enc_algo, sig_algo]}`), Salt §4. */
export interface Envelope {
  enc: 'clear' | 'aes';
  load: unknown;
  version: number;
  id?: string;
  enc_algo?: string;
  sig_algo?: string;
}

/**
 * Reads a request envelope as Salt's `handle_message` does: a dict with `enc` and `load`, a
 * `version` that defaults to 0. Throws ProtocolError `ERR_BAD_LOAD` otherwise.
 */
export function readEnvelope(value: unknown): Envelope {
  if (!isDict(value) || !('enc' in value) || !('load' in value)) {
    throw new ProtocolError(ErrorCodes.BAD_LOAD, 'request is not an envelope with enc and load');
  }
  const enc = value.enc;
  if (enc !== 'clear' && enc !== 'aes') {
    throw new ProtocolError(
      ErrorCodes.BAD_LOAD,
      `unknown envelope encoding ${JSON.stringify(String(enc)).slice(0, 40)}`,
    );
  }
  const envelope: Envelope = { enc, load: value.load, version: versionOf(value.version) };
  if (typeof value.id === 'string') envelope.id = value.id;
  if (typeof value.enc_algo === 'string') envelope.enc_algo = value.enc_algo;
  if (typeof value.sig_algo === 'string') envelope.sig_algo = value.sig_algo;
  return envelope;
}

function versionOf(v: unknown): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  return 0;
}

/** A decrypted/clear load that must be a dict with a sane `id` (Salt's checks 3 and 4). */
export function readLoad(load: unknown): Dict {
  if (!isDict(load)) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'payload and load must be a dict');
  const id = load.id;
  if (id !== undefined && typeof id !== 'string') {
    throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'load id is not a string');
  }
  if (typeof id === 'string' && id.includes('\0')) {
    throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'load id contains a null byte');
  }
  return load;
}
