import { type CryptoSuite, type PublicKey, AuthError, ErrorCodes } from '@brine/contracts';
import { isValidMinionId } from '../keystore/minion-id.js';
import type { KeyStore } from '../keystore/types.js';
import { TOKEN_MESSAGE } from '../protocol/constants.js';
import { bytesEqual, timingSafeEqual } from '@brine/contracts/bytes';

export interface TokenVerifierOptions {
  /**
   * Milliseconds a verified token is trusted before the minion's accepted key is read from the
   * store again. 0 reads it on every request, as Salt does; with a disk store that read is about
   * half of a request's CPU. Keys changed through the master (KeyManager, the rotation dropfile)
   * call `forget`/`clear` and take effect at once; this window only bounds how long a key file
   * removed or replaced by hand goes unnoticed. Default 1000.
   */
  recheckMs?: number;
  /** Clock in ms (tests). */
  now?: () => number;
}

interface VerifiedToken {
  tok: Uint8Array;
  pem: string;
  checkedAt: number;
}

/**
 * Checks a minion's `tok` (Salt's `validate_token`): the X9.31 signature of "salt" must recover
 * with the minion's accepted key. The accepted key is read from the store again at least every
 * `recheckMs`, so a key deleted or replaced behind the master's back (another process) stops its
 * old token within that window. Tokens are deterministic, so the RSA check is skipped for a token
 * already verified against the same stored key.
 */
export class TokenVerifier {
  private readonly verified = new Map<string, VerifiedToken>();
  private readonly recheckMs: number;
  private readonly now: () => number;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly store: KeyStore,
    options: TokenVerifierOptions = {},
  ) {
    this.recheckMs = options.recheckMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Whether `tok` was verified for `id` within `recheckMs` (no store read, no await): the
   * request channel's fast path. False means "call `verify`", not "invalid".
   */
  verifiedNow(id: string, tok: Uint8Array): boolean {
    const fresh = this.verified.get(id);
    return fresh !== undefined && this.now() - fresh.checkedAt < this.recheckMs && timingSafeEqual(fresh.tok, tok);
  }

  /** Throws AuthError ERR_TOKEN_INVALID (or ERR_INVALID_MINION_ID) unless `tok` proves `id`. */
  async verify(id: string, tok: Uint8Array): Promise<void> {
    if (!isValidMinionId(id)) throw new AuthError(ErrorCodes.INVALID_MINION_ID, 'invalid minion id in request');
    const fresh = this.verified.get(id);
    // Constant-time: the token proves the minion's identity, so its bytes must not leak by timing.
    if (fresh && this.now() - fresh.checkedAt < this.recheckMs && timingSafeEqual(fresh.tok, tok)) return;
    const pem = await this.store.getMinionKey('accepted', id);
    if (pem === undefined) {
      this.verified.delete(id);
      throw new AuthError(
        ErrorCodes.TOKEN_INVALID,
        `Salt minion claiming to be ${id} attempted to communicate with master, but key could not be read and verification was denied.`,
      );
    }
    const cached = this.verified.get(id);
    if (cached && cached.pem === pem && timingSafeEqual(cached.tok, tok)) {
      cached.checkedAt = this.now();
      return;
    }
    let key: PublicKey;
    try {
      key = this.suite.importPublicKey(pem);
    } catch (error) {
      throw new AuthError(ErrorCodes.TOKEN_INVALID, `stored key of ${id} is unreadable`, { cause: error });
    }
    const recovered = await this.suite.recoverToken(key, tok);
    if (!recovered || !bytesEqual(recovered, TOKEN_MESSAGE)) {
      throw new AuthError(ErrorCodes.TOKEN_INVALID, `Minion token did not validate: ${id}`);
    }
    this.verified.set(id, { tok: tok.slice(), pem, checkedAt: this.now() });
  }

  /** Call when a minion's key is deleted, rejected or replaced. */
  forget(id: string): void {
    this.verified.delete(id);
  }

  clear(): void {
    this.verified.clear();
  }
}
