import { Crypticle } from '../crypto/crypticle.js';
import type { CryptoSuite } from '@brine/contracts';
import { toHex, utf8Encode } from '@brine/contracts/bytes';
import type { MasterKeys } from './master-keys.js';

/**
 * The master's shared AES key (Salt's `SMaster.secrets["aes"]`): encrypts publishes (every version)
 * and v2 requests. Rotated on key delete/reject and on demand; rotation resets the publish serial.
 */
export class SharedKey {
  private current: { key: string; crypticle: Crypticle; sig: Promise<Uint8Array> | undefined; generation: number };
  private serial = 0;

  constructor(
    private readonly suite: CryptoSuite,
    private readonly masterKeys: MasterKeys,
    initialKey?: string,
  ) {
    this.current = this.make(initialKey ?? suite.generateSessionKey(), 0);
  }

  get key(): string {
    return this.current.key;
  }

  get crypticle(): Crypticle {
    return this.current.crypticle;
  }

  /** Increments on every rotation. */
  get generation(): number {
    return this.current.generation;
  }

  /** Salt's `get_serial()`: the next publish serial (1, 2, ...). */
  nextSerial(): number {
    this.serial += 1;
    return this.serial;
  }

  /**
   * The accept reply's `sig`: X9.31(master.pem, sha256(A) as hex). Deterministic, so it is computed
   * once per key instead of once per minion.
   */
  signature(): Promise<Uint8Array> {
    const entry = this.current;
    entry.sig ??= this.suite.signToken(
      this.masterKeys.privateKey,
      utf8Encode(toHex(this.suite.digest('sha256', utf8Encode(entry.key)))),
    );
    return entry.sig;
  }

  /** A fresh key; the serial restarts (minions make a new Crypticle on re-auth). */
  rotate(): string {
    this.current = this.make(this.suite.generateSessionKey(), this.current.generation + 1);
    this.serial = 0;
    return this.current.key;
  }

  private make(key: string, generation: number) {
    return { key, crypticle: Crypticle.fromKey(this.suite, key), sig: undefined, generation };
  }
}
