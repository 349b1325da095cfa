import { generatePems, type PemPair } from './suites.js';

/**
 * Key pairs made once per run by the orchestrator (before any timing) and handed to the bench
 * processes in their specs, so no cell pays for RSA key generation.
 */
export class KeyCache {
  private readonly made = new Map<string, Promise<PemPair[]>>();

  /** `count` pairs of `kind` (Salt RSA of `bits`, or NaCl), each list made once per run. */
  get(kind: 'salt' | 'nacl', bits: number, count: number): Promise<PemPair[]> {
    const key = `${kind}/${kind === 'nacl' ? 0 : bits}`;
    const existing = this.made.get(key);
    const grow = async (have: PemPair[]): Promise<PemPair[]> =>
      have.length >= count ? have : [...have, ...(await generatePems(kind, bits, count - have.length))];
    const next = (existing ?? Promise.resolve([])).then(grow);
    this.made.set(key, next);
    return next.then((all) => all.slice(0, count));
  }
}
