import {
  type CryptoSuite,
  type PublicKey,
  AuthError,
  CryptoError,
  ErrorCodes,
  ProtocolError,
  loads,
} from '@brine/contracts';
import { cleanKey } from '../keystore/clean-key.js';
import { BAD_ENC_ALGO, BAD_SIG_ALGO } from '../protocol/constants.js';
import { uuid4Hex } from '../protocol/nonce.js';
import { bytesField, isDict, textField, type Dict } from '../protocol/values.js';
import { bytesEqual, toHex, utf8Decode, utf8Encode } from '@brine/contracts/bytes';
import type { MinionKeys } from './minion-keys.js';

/** The minion's `_auth` request load and the secrets it must remember to check the reply. */
export interface SignInRequest {
  load: Dict;
  nonce: string;
  /** The clear token sent sealed to the pinned master key (absent on first contact). */
  token: Uint8Array | undefined;
}

export interface SignInContext {
  suite: CryptoSuite;
  keys: MinionKeys;
  id: string;
  encAlgo: string;
  sigAlgo: string;
  /** Pinned master key (minion_master.pub), if any. */
  pinnedMasterPem: string | undefined;
  /** A new random token string per AsyncAuth instance (Salt: `Crypticle.generate_key_string()`). */
  clearToken: Uint8Array;
}

/** Salt's `minion_sign_in_payload` (3008 key order: cmd, id, nonce, enc_algo, sig_algo, [token], pub). */
export async function buildSignIn(ctx: SignInContext): Promise<SignInRequest> {
  const nonce = uuid4Hex((n) => ctx.suite.randomBytes(n));
  const load: Dict = { cmd: '_auth', id: ctx.id, nonce, enc_algo: ctx.encAlgo, sig_algo: ctx.sigAlgo };
  let token: Uint8Array | undefined;
  if (ctx.pinnedMasterPem !== undefined) {
    const master = ctx.suite.importPublicKey(ctx.pinnedMasterPem);
    load.token = await ctx.suite.seal(master, ctx.clearToken, { algo: ctx.encAlgo });
    token = ctx.clearToken;
  }
  load.pub = ctx.keys.publicPem;
  return { load, nonce, token };
}

export type SignInOutcome =
  | {
      kind: 'accepted';
      aes: string;
      session: string | undefined;
      publishPort: number;
      masterPem: string;
      pinMaster: boolean;
    }
  | { kind: 'pending'; verified: boolean }
  /** The master's sign-in queue was full: sign in again after `retryAfter` seconds. */
  | { kind: 'busy'; verified: boolean; retryAfter: number }
  | { kind: 'rejected'; verified: boolean }
  | { kind: 'full'; verified: boolean };

export interface VerifyOptions {
  /** Accept a master key different from the pin when `pub_sig` verifies with this key (verify_master_pubkey_sign). */
  masterSignKey?: PublicKey;
  verifyMasterPubkeySign?: boolean;
  alwaysVerifySignature?: boolean;
}

/**
 * Salt's `handle_signin_response` + `verify_master` + `decrypt_aes`, with typed errors instead of
 * sentinel strings and process exits: ERR_BAD_SIGNATURE (clear signature or aes `sig`),
 * ERR_MASTER_KEY_CHANGED (pin mismatch), ERR_NONCE_MISMATCH, ERR_TOKEN_INVALID,
 * ERR_UNSUPPORTED_SUITE (bad enc/sig algo), ERR_BAD_LOAD (malformed reply).
 */
export async function verifySignIn(
  ctx: SignInContext,
  request: SignInRequest,
  reply: unknown,
  options: VerifyOptions = {},
): Promise<SignInOutcome> {
  const { suite } = ctx;
  if (!isDict(reply) || !('load' in reply)) {
    throw new ProtocolError(ErrorCodes.BAD_LOAD, `sign-in reply is not a dict with a load: ${describe(reply)}`);
  }
  if (isDict(reply.load)) {
    const ret = reply.load.ret;
    if (ret === BAD_ENC_ALGO || ret === BAD_SIG_ALGO) {
      throw new CryptoError(ErrorCodes.UNSUPPORTED_SUITE, `the master refused our algorithms (${String(ret)})`, {
        details: { encAlgo: ctx.encAlgo, sigAlgo: ctx.sigAlgo },
      });
    }
    throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'sign-in reply is not signed (protocol < 2 master?)');
  }
  const signed = bytesField(reply.load);
  const signature = bytesField(reply.sig);
  if (!signed || !signature) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'sign-in reply lacks load bytes or sig');
  const payload = loads(signed);
  if (!isDict(payload)) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'signed sign-in load is not a dict');

  let masterPem = ctx.pinnedMasterPem;
  let pinMaster = false;
  // The token was sealed to the pinned key; when a signed new master key replaces the pin, it
  // cannot come back (Salt: `extract_aes(payload, master_pub=False)`).
  let checkToken = true;
  let accepted: { aes: string; session: string | undefined } | undefined;
  const offeredPem = textField(payload.pub_key);
  if (offeredPem !== undefined) {
    const offered = cleanKey(offeredPem);
    const pubSig = textField(payload.pub_sig);
    if (options.verifyMasterPubkeySign && pubSig === undefined) {
      throw new AuthError(
        ErrorCodes.BAD_SIGNATURE,
        'the master did not sign its public key but verify_master_pubkey_sign is on',
      );
    }
    const signedByMasterSign = async (): Promise<boolean> =>
      options.masterSignKey !== undefined &&
      pubSig !== undefined &&
      (await suite.verify(options.masterSignKey, utf8Encode(offered), base64Bytes(pubSig)));
    if (masterPem !== undefined && cleanKey(masterPem) !== offered) {
      if (!(options.verifyMasterPubkeySign && (await signedByMasterSign()))) {
        throw new AuthError(
          ErrorCodes.MASTER_KEY_CHANGED,
          "The master key has changed, the salt master could have been subverted, verify salt master's public key",
        );
      }
      masterPem = offered;
      pinMaster = true;
      checkToken = false;
    } else if (masterPem === undefined) {
      if (options.verifyMasterPubkeySign && !(await signedByMasterSign())) {
        throw new AuthError(ErrorCodes.BAD_SIGNATURE, "the master's public key signature did not verify");
      }
      masterPem = offered;
      pinMaster = true;
    } else if (options.alwaysVerifySignature && !(await signedByMasterSign())) {
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, "the master's public key signature did not verify");
    }
    accepted = await decryptKeys(ctx, request, payload, masterPem, checkToken);
  }

  if (masterPem !== undefined) {
    const master = suite.importPublicKey(masterPem);
    if (!(await suite.verify(master, signed, signature, { algo: ctx.sigAlgo }))) {
      throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'The payload signature did not validate.');
    }
  }
  if (textField(payload.nonce) !== request.nonce) {
    throw new AuthError(ErrorCodes.NONCE_MISMATCH, 'The payload nonce did not validate.');
  }
  if ('ret' in payload) {
    // Without a pinned master key (first contact) the signature cannot be checked.
    const verified = masterPem !== undefined;
    if (payload.ret === 'full') return { kind: 'full', verified };
    // Brine's "busy, retry after": `ret: true` (what a Salt minion reads as "retry later") with a hint.
    const retryAfter = payload.retry_after;
    if (payload.ret === true && typeof retryAfter === 'number' && Number.isFinite(retryAfter) && retryAfter >= 0) {
      return { kind: 'busy', verified, retryAfter };
    }
    return payload.ret ? { kind: 'pending', verified } : { kind: 'rejected', verified };
  }
  if (!accepted || masterPem === undefined) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'accept reply without keys');
  const port = payload.publish_port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ProtocolError(ErrorCodes.BAD_LOAD, 'accept reply has no valid publish_port');
  }
  return { kind: 'accepted', ...accepted, publishPort: port, masterPem, pinMaster };
}

/** Salt's `decrypt_aes`/`extract_aes`: the AES key, checked against the X9.31 `sig`, and the token echo. */
async function decryptKeys(
  ctx: SignInContext,
  request: SignInRequest,
  payload: Dict,
  masterPem: string,
  checkToken: boolean,
): Promise<{ aes: string; session: string | undefined }> {
  const { suite, keys } = ctx;
  const sealedAes = bytesField(payload.aes);
  const sig = bytesField(payload.sig);
  if (!sealedAes) throw new ProtocolError(ErrorCodes.BAD_LOAD, 'accept reply has no aes');
  if (!sig) throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'accept reply has no aes signature');
  const open = async (field: string, data: Uint8Array): Promise<Uint8Array> => {
    try {
      return await suite.open(keys.privateKey, data, { algo: ctx.encAlgo });
    } catch (error) {
      throw new AuthError(ErrorCodes.AUTHENTICATION, `cannot decrypt the ${field} sent by the master`, {
        cause: error,
      });
    }
  };
  const aesBytes = await open('aes key', sealedAes);
  const recovered = await suite.recoverToken(suite.importPublicKey(masterPem), sig);
  const digest = utf8Encode(toHex(suite.digest('sha256', aesBytes)));
  if (!recovered || !bytesEqual(recovered, digest)) {
    throw new AuthError(ErrorCodes.BAD_SIGNATURE, 'the AES key signature did not verify against the master key');
  }
  if (checkToken && request.token !== undefined) {
    const sealedToken = bytesField(payload.token);
    const token = sealedToken ? await open('token', sealedToken) : undefined;
    if (!token || !bytesEqual(token, request.token)) {
      throw new AuthError(ErrorCodes.TOKEN_INVALID, 'The master failed to decrypt the random minion token');
    }
  }
  const sealedSession = bytesField(payload.session);
  const session = sealedSession ? utf8Decode(await open('session key', sealedSession)) : undefined;
  return { aes: utf8Decode(aesBytes), session };
}

function base64Bytes(text: string): Uint8Array {
  const bin = atob(text.replace(/\s+/g, ''));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 60));
  return typeof value;
}
