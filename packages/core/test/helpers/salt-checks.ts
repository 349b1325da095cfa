/**
 * The minion-side checks Salt runs on an `_auth` reply, written straight on node:crypto (not on a
 * Brine suite) so a Brine-built reply is judged by code that shares nothing with the code that made
 * it. Mirrors `salt.crypt.AsyncAuth.handle_signin_response` / `decrypt_aes` and the check names the
 * vectors' `reply_checks` use.
 */
import {
  constants,
  createHash,
  createPrivateKey,
  createPublicKey,
  privateDecrypt,
  publicDecrypt,
  verify,
  type KeyObject,
} from 'node:crypto';
import { loads } from '@brine/contracts';
import { isDict, type Dict } from '@brine/core';

export const CHECK_CLEAR_SIG = 'clear_signature_valid(PKCS1v15-SHA1, master.pub)';
export const CHECK_AES = 'aes_decrypted(OAEP-SHA1, minion.pem)';
export const CHECK_SIG_RECOVERED = 'sig_x931_recovered';
export const CHECK_SIG_MATCHES = 'sig_matches_sha256_hex_of_aes';
export const CHECK_TOKEN = 'token_decrypted(OAEP-SHA1, minion.pem)';
export const CHECK_SESSION = 'session_decrypted(OAEP-SHA1, minion.pem)';

const buf = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);
const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value instanceof Uint8Array ? buf(value).toString('utf8') : undefined;
const bytesOf = (value: unknown): Uint8Array | undefined =>
  value instanceof Uint8Array
    ? value
    : typeof value === 'string'
      ? new Uint8Array(Buffer.from(value, 'utf8'))
      : undefined;

/** OAEP-SHA1 (MGF1-SHA1, empty label) decryption, as `PrivateKey.decrypt(data, "OAEP-SHA1")`. */
export function oaepOpen(pem: string, data: Uint8Array): Uint8Array {
  return new Uint8Array(
    privateDecrypt(
      { key: createPrivateKey(pem), padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
      buf(data),
    ),
  );
}

function modulusOf(key: KeyObject): bigint {
  const jwk = key.export({ format: 'jwk' });
  return BigInt(`0x${Buffer.from(jwk.n!, 'base64url').toString('hex')}`);
}

/**
 * OpenSSL's `RSA_public_decrypt(..., RSA_X931_PADDING)` as Salt's `RSAX931Verifier.verify` calls it:
 * `m = s^e mod n`, use `n − m` unless `m mod 16 == 12`, then strip `6B BB..BB BA ‖ msg ‖ CC`.
 * Undefined where OpenSSL raises.
 */
export function x931Recover(pubPem: string, signature: Uint8Array): Uint8Array | undefined {
  const key = createPublicKey(pubPem);
  const n = modulusOf(key);
  const k = (n.toString(16).length + 1) >> 1;
  if (signature.length !== k) return undefined;
  let m: bigint;
  try {
    m = BigInt(`0x${publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, buf(signature)).toString('hex')}`);
  } catch {
    return undefined;
  }
  if ((m & 0xfn) !== 12n) m = n - m;
  const block = Buffer.from(m.toString(16).padStart(k * 2, '0'), 'hex');
  if (block[k - 1] !== 0xcc) return undefined;
  if (block[0] === 0x6a) return new Uint8Array(block.subarray(1, k - 1));
  if (block[0] !== 0x6b) return undefined;
  let i = 1;
  while (i < k - 1 && block[i] === 0xbb) i++;
  if (i >= k - 1 || block[i] !== 0xba) return undefined;
  return new Uint8Array(block.subarray(i + 1, k - 1));
}

export function pkcs1Sha1Verify(pubPem: string, data: Uint8Array, signature: Uint8Array): boolean {
  return verify(
    'sha1',
    buf(data),
    { key: createPublicKey(pubPem), padding: constants.RSA_PKCS1_PADDING },
    buf(signature),
  );
}

export interface AuthReplyChecks {
  /** Keyed like the vectors' `reply_checks`. */
  checks: Record<string, boolean | string>;
  /** The decoded signed load. */
  inner: Dict;
  /** The signed load bytes and clear signature. */
  load: Uint8Array;
  sig: Uint8Array;
}

/**
 * Runs Salt's checks on a clear-signed `_auth` reply `{enc: "clear", load: <bytes>, sig: <bytes>}`
 * (the decoded wire form: byte fields may come back as str when valid UTF-8). Throws when the
 * reply is not shaped like one.
 */
export function saltReplyChecks(reply: unknown, keys: { masterPub: string; minionPem: string }): AuthReplyChecks {
  if (!isDict(reply)) throw new Error('reply is not a dict');
  const load = bytesOf(reply.load);
  const sig = bytesOf(reply.sig);
  if (!load || !sig) throw new Error('reply has no signed load');
  const inner = loads(load);
  if (!isDict(inner)) throw new Error('signed load is not a dict');
  const checks: Record<string, boolean | string> = { [CHECK_CLEAR_SIG]: pkcs1Sha1Verify(keys.masterPub, load, sig) };
  const aesBlob = bytesOf(inner.aes);
  if (aesBlob) {
    const aes = oaepOpen(keys.minionPem, aesBlob);
    checks[CHECK_AES] = buf(aes).toString('utf8');
    const recovered = x931Recover(keys.masterPub, bytesOf(inner.sig) ?? new Uint8Array());
    checks[CHECK_SIG_RECOVERED] = recovered ? buf(recovered).toString('utf8') : '';
    checks[CHECK_SIG_MATCHES] = checks[CHECK_SIG_RECOVERED] === createHash('sha256').update(aes).digest('hex');
  }
  const token = bytesOf(inner.token);
  if (token) checks[CHECK_TOKEN] = buf(oaepOpen(keys.minionPem, token)).toString('utf8');
  const session = bytesOf(inner.session);
  if (session) checks[CHECK_SESSION] = buf(oaepOpen(keys.minionPem, session)).toString('utf8');
  return { checks, inner, load, sig };
}

/** The text of a decoded field (str or bytes), for comparisons. */
export function fieldText(value: unknown): string | undefined {
  return text(value);
}
