import { AuthError, ErrorCodes } from '@brine/contracts';
import { utf8Encode } from '@brine/contracts/bytes';

/** Longest id in UTF-8 bytes: ids are file names under pki_dir (NAME_MAX). */
export const MAX_MINION_ID_BYTES = 255;

export type InvalidMinionIdReason =
  | 'not-a-string'
  | 'empty'
  | 'too-long'
  | 'dot-path'
  | 'separator'
  | 'nul'
  | 'control-character'
  | 'surrogate'
  | 'whitespace-edge';

// C0 (NUL is reported separately), DEL, C1.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0001-\u001f\u007f-\u009f]/u;
// Lone surrogates would be replaced by U+FFFD when encoded, so two ids could share one file.
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const EDGE_WHITESPACE = /^\s|\s$/u;
// The common case (host names): ASCII, one byte per character; one test instead of five.
const PLAIN = /^[A-Za-z0-9_.@+-]{1,255}$/;

/**
 * Why `id` is not a usable minion id, or undefined when it is. Refuses everything Salt's
 * `salt.utils.verify.valid_id` refuses ('/', '\\', NUL, and ids that do not name a file directly
 * inside pki_dir: '', '.', '..'), plus what Salt lets through but no file name should carry.
 */
export function minionIdProblem(id: unknown): InvalidMinionIdReason | undefined {
  if (typeof id !== 'string') return 'not-a-string';
  if (PLAIN.test(id) && id !== '.' && id !== '..') return undefined;
  if (id.length === 0) return 'empty';
  if (id === '.' || id === '..') return 'dot-path';
  if (id.includes('/') || id.includes('\\')) return 'separator';
  if (id.includes('\0')) return 'nul';
  if (CONTROL.test(id)) return 'control-character';
  if (LONE_SURROGATE.test(id)) return 'surrogate';
  if (EDGE_WHITESPACE.test(id)) return 'whitespace-edge';
  // A UTF-8 byte is at most 3 per UTF-16 unit, so short ids skip the encode.
  if (id.length * 3 > MAX_MINION_ID_BYTES && utf8Encode(id).length > MAX_MINION_ID_BYTES) return 'too-long';
  return undefined;
}

export function isValidMinionId(id: unknown): id is string {
  return minionIdProblem(id) === undefined;
}

/** Returns `id` when valid; throws AuthError `ERR_INVALID_MINION_ID` with `details.reason` otherwise. */
export function validateMinionId(id: unknown): string {
  const reason = minionIdProblem(id);
  if (reason === undefined) return id as string;
  throw new AuthError(ErrorCodes.INVALID_MINION_ID, `Invalid minion id (${reason})`, {
    details: { reason, id: preview(id) },
  });
}

function preview(id: unknown): unknown {
  if (typeof id !== 'string') return typeof id;
  return JSON.stringify(id.length > 64 ? `${id.slice(0, 64)}…` : id);
}
