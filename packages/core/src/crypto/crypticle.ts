import {
  AuthError,
  isBrineError,
  ConfigError,
  ErrorCodes,
  ProtocolError,
  dumps,
  loads,
  type CryptoSuite,
  type SessionCipher,
} from '@brine/contracts';
import { bytesEqual, concatBytes, utf8Encode } from '@brine/contracts/bytes';

/** The marker Salt puts before every Crypticle plaintext (no pickle is involved any more). */
const PICKLE_PAD = utf8Encode('pickle::');
const NONCE_BYTES = 32;

export interface CrypticleOptions {
  /** Last publish serial seen. Salt starts at 0, so a serial must be at least 1 to pass. */
  serial?: number | bigint;
}

export interface CrypticleLoadsOptions {
  /** The request nonce (32 ASCII hex chars) the reply must carry in front of its payload. */
  nonce?: string;
}

/**
 * Salt's `salt.crypt.Crypticle` framing on top of a session cipher:
 * `encrypt(b"pickle::" [+ nonce] + salt.payload.dumps(obj))`.
 *
 * One difference from Salt: a dict whose `serial` is not above the last one seen (a replayed
 * publish) makes `loads` throw AuthError `ERR_REPLAY`, where Salt logs CRITICAL and returns `{}`.
 * The serial lives in this object, as in Salt: make a new Crypticle when the key changes.
 */
export class Crypticle {
  #serial: number | bigint;

  constructor(
    readonly cipher: SessionCipher,
    options: CrypticleOptions = {},
  ) {
    this.#serial = options.serial ?? 0;
  }

  /** A Crypticle for a session key string in `suite`'s format (Salt: 76 base64 chars). */
  static fromKey(suite: Pick<CryptoSuite, 'sessionCipher'>, key: string, options?: CrypticleOptions): Crypticle {
    return new Crypticle(suite.sessionCipher(key), options);
  }

  /** The highest publish serial accepted so far. */
  get serial(): number | bigint {
    return this.#serial;
  }

  /** `Crypticle.dumps(obj, nonce)`. `nonce`, when given, must be 32 ASCII characters (Salt's uuid4 hex). */
  dumps(obj: unknown, nonce?: string): Uint8Array {
    const parts = [PICKLE_PAD];
    if (nonce) {
      const bytes = utf8Encode(nonce);
      if (bytes.length !== NONCE_BYTES) {
        throw new ConfigError(ErrorCodes.INVALID_ARGUMENT, `nonce must be ${NONCE_BYTES} ASCII characters`);
      }
      parts.push(bytes);
    }
    parts.push(dumps(obj));
    return this.cipher.encrypt(concatBytes(parts));
  }

  /**
   * `Crypticle.loads(blob, nonce=nonce)`. Throws AuthError `ERR_AUTHENTICATION` (MAC),
   * `ERR_NONCE_MISMATCH`, `ERR_REPLAY`, and ProtocolError `ERR_DECODE` for bad msgpack.
   * A plaintext without the `pickle::` marker yields `{}`, as in Salt.
   */
  loads(blob: Uint8Array, options: CrypticleLoadsOptions = {}): unknown {
    let data = this.#decrypt(blob);
    if (!startsWith(data, PICKLE_PAD)) return {};
    data = data.subarray(PICKLE_PAD.length);
    if (options.nonce) {
      const got = data.subarray(0, NONCE_BYTES);
      if (!bytesEqual(got, utf8Encode(options.nonce))) {
        throw new AuthError(ErrorCodes.NONCE_MISMATCH, 'reply nonce does not match the request nonce');
      }
      data = data.subarray(NONCE_BYTES);
    }
    const payload = loads(data);
    if (isDict(payload) && 'serial' in payload) this.#checkSerial(payload);
    return payload;
  }

  #decrypt(blob: Uint8Array): Uint8Array {
    try {
      return this.cipher.decrypt(blob);
    } catch (error) {
      if (isBrineError(error)) throw error;
      throw new AuthError(ErrorCodes.AUTHENTICATION, 'message authentication failed', { cause: error });
    }
  }

  #checkSerial(payload: Record<string, unknown>): void {
    const serial = payload.serial;
    delete payload.serial;
    if (typeof serial !== 'number' && typeof serial !== 'bigint') {
      throw new ProtocolError(ErrorCodes.BAD_LOAD, 'publish serial is not an integer');
    }
    if (serial <= this.#serial) {
      throw new AuthError(ErrorCodes.REPLAY, 'publish serial not above the last one seen (replay)', {
        details: { serial: String(serial), last: String(this.#serial) },
      });
    }
    this.#serial = serial;
  }
}

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  return data.length >= prefix.length && bytesEqual(data.subarray(0, prefix.length), prefix);
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}
