import type { Crypticle } from '../crypto/crypticle.js';

/** What a successful sign-in yields (Salt's `creds`). */
export interface AuthCredentials {
  /** The master's shared AES key string (publishes; v2 requests). */
  readonly aes: string;
  /** This minion's session key string (v3 requests), when the master sent one. */
  readonly session: string | undefined;
  readonly publishPort: number;
  readonly masterUri: string;
  readonly crypticle: Crypticle;
  readonly sessionCrypticle: Crypticle | undefined;
}
