import { ErrorCodes, ConfigError, type CryptoSuite } from '@brine/contracts';
import { type KeyStore } from '@brine/core';
import { createPooledSuite } from '@brine/core/node';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { createNaclSuite } from '@brine/crypto/nacl';
import { createNodeNaclSuite, createNodeSaltSuite } from '@brine/crypto/node';
import { isNaclSuite, type SuiteName } from './results.js';

export interface SuiteHandle {
  suite: CryptoSuite;
  close(): Promise<void>;
}

/** The master's crypto suite for a bench cell; `pooled` is the node suite with private-key ops on worker threads. */
export async function masterSuite(name: SuiteName): Promise<SuiteHandle> {
  switch (name) {
    case 'node':
      return { suite: createNodeSaltSuite(), close: async () => {} };
    case 'forge':
      return { suite: createForgeSaltSuite(), close: async () => {} };
    case 'nacl':
      return { suite: createNaclSuite(), close: async () => {} };
    case 'nacl-node':
      return { suite: createNodeNaclSuite(), close: async () => {} };
    case 'pooled': {
      const pooled = createPooledSuite(createNodeSaltSuite(), {
        module: import.meta.resolve('@brine/crypto/node'),
        exportName: 'createNodeSaltSuite',
      });
      await pooled.ready();
      return { suite: pooled, close: () => pooled.close() };
    }
    default:
      throw new ConfigError(ErrorCodes.CONFIG, `unknown crypto suite '${String(name)}'`);
  }
}

/**
 * The suite the load generator's minions use against a master running `name`: NaCl on node:crypto for
 * either NaCl master, else Salt's suite on node:crypto (the same wire format as tweetnacl and forge,
 * and cheap, so the generator stays light).
 */
export function minionSuite(name: SuiteName): CryptoSuite {
  return isNaclSuite(name) ? createNodeNaclSuite() : createNodeSaltSuite();
}

export interface PemPair {
  privatePem: string;
  publicPem: string;
}

/**
 * Generates key pairs before timing starts. RSA keys are made with node:crypto whatever the suite
 * (forge imports the same PEM; its pure-JS key generation would take minutes at 4096 bits).
 */
export async function generatePems(suite: SuiteName | 'salt', bits: number, count: number): Promise<PemPair[]> {
  const maker = suite !== 'salt' && isNaclSuite(suite) ? createNodeNaclSuite() : createNodeSaltSuite();
  return Promise.all(
    Array.from({ length: count }, async () => {
      const pair = await maker.generateKeyPair({ bits });
      return { privatePem: maker.exportPrivateKey(pair.privateKey), publicPem: maker.exportPublicKey(pair.publicKey) };
    }),
  );
}

/** Puts a pre-generated pair into a key store under `name` (`master` or `minion`). */
export async function seedKeyPair(store: KeyStore, name: string, pair: PemPair): Promise<void> {
  await store.ensureKeyPair(name, async () => pair);
}
