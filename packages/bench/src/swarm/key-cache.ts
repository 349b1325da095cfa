/**
 * RSA-2048 minion key pairs made once and kept on disk, so a 10,000-minion swarm pays for key
 * generation once per machine (about 0.1 s of CPU per key) instead of once per run.
 */
import { generateKeyPair } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { PemPair } from '../suites.js';

const generate = promisify(generateKeyPair);

/** `BRINE_BENCH_KEY_DIR`, else `~/.cache/brine-bench/rsa-2048`. */
export function defaultKeyDir(): string {
  return process.env.BRINE_BENCH_KEY_DIR ?? join(homedir(), '.cache', 'brine-bench', 'rsa-2048');
}

function readPair(file: string): PemPair | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<PemPair>;
    if (typeof parsed.privatePem === 'string' && typeof parsed.publicPem === 'string')
      return { privatePem: parsed.privatePem, publicPem: parsed.publicPem };
  } catch {
    // missing or torn: made again
  }
  return undefined;
}

async function makePair(): Promise<PemPair> {
  const { privateKey, publicKey } = await generate('rsa', {
    modulusLength: 2048,
    publicExponent: 65537,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privatePem: privateKey, publicPem: publicKey };
}

export interface KeyCacheOptions {
  dir?: string;
  /** Key generations in flight (they run on libuv's thread pool). Default 8. */
  concurrency?: number;
  /** Called after each key made (not for keys read from disk). */
  onMade?: (made: number, missing: number) => void;
}

/** `count` distinct key pairs: those on disk are read, the missing ones made and written (atomically). */
export async function cachedKeyPairs(count: number, options: KeyCacheOptions = {}): Promise<PemPair[]> {
  const dir = options.dir ?? defaultKeyDir();
  mkdirSync(dir, { recursive: true });
  const pairs: Array<PemPair | undefined> = Array.from({ length: count }, (_, i) => readPair(join(dir, `${i}.json`)));
  const missing = pairs.flatMap((pair, i) => (pair ? [] : [i]));
  let made = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < missing.length) {
      const index = missing[next++]!;
      const pair = await makePair();
      const file = join(dir, `${index}.json`);
      writeFileSync(`${file}.tmp-${process.pid}`, JSON.stringify(pair), { mode: 0o600 });
      renameSync(`${file}.tmp-${process.pid}`, file);
      pairs[index] = pair;
      options.onMade?.(++made, missing.length);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  return pairs as PemPair[];
}
