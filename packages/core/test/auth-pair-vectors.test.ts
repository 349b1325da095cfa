/**
 * auth_pair_{zeromq,tcp,ws}[_3008].json: `_auth` request/reply pairs recorded between a REAL
 * salt-master and salt-minion (3007.1 = protocol v2, 3008 = v3), with the run's keys.
 *
 * 1. Brine's minion verification (`verifySignIn`) accepts every recorded reply, with the values
 *    Salt's own checks recorded (`reply_checks`).
 * 2. A Brine master given the recorded request and keys builds a reply that passes the same checks
 *    (done by an independent node:crypto helper that mirrors Salt), and, when a Python with Salt is
 *    around, Salt's own functions and its `AsyncAuth.handle_signin_response`.
 */
import { describe, expect, it } from 'vitest';
import { bytes, type CryptoSuite } from '@brine/contracts';
import { MinionKeys, cleanKey, isDict, verifySignIn, type Dict } from '@brine/core';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { loadVector, toHex } from '../../../test/helpers/vectors.js';
import { createMaster, overTheWire, storeWith, type MasterFixture } from './helpers/auth-fixtures.js';
import {
  CHECK_AES,
  CHECK_SESSION,
  CHECK_SIG_RECOVERED,
  CHECK_TOKEN,
  oaepOpen,
  saltReplyChecks,
} from './helpers/salt-checks.js';
import { runSaltChecks, saltPython, type SaltCheckCase, type SaltCheckResult } from './helpers/salt-python.js';
import { fromTyped, typedBytes } from './helpers/typed.js';

interface Pair {
  kind: 'rep_auth_pending' | 'rep_auth_accepted';
  request: { enc: string; load: Record<string, unknown>; version: number };
  reply: { enc: string; load: unknown; sig: unknown };
  reply_inner: Record<string, unknown>;
  reply_checks: Record<string, boolean | string>;
}

interface PairFile {
  meta: { description: string };
  keys: { minion_pem: string; minion_pub: string; master_pem: string; master_pub: string; minion_master_pub: string };
  pairs: Pair[];
}

const FILES = [
  'auth_pair_zeromq.json',
  'auth_pair_tcp.json',
  'auth_pair_ws.json',
  'auth_pair_zeromq_3008.json',
  'auth_pair_tcp_3008.json',
  'auth_pair_ws_3008.json',
] as const;

const nodeSuite = createNodeSaltSuite();
const forgeSuite = createForgeSaltSuite();
const b64text = (b: Uint8Array): string => Buffer.from(b).toString('base64');

/** Everything a test needs about one recorded pair. */
function describePair(file: PairFile, pair: Pair) {
  const load = fromTyped(pair.request.load) as Dict;
  const id = load.id as string;
  const nonce = load.nonce as string;
  const sealedToken = load.token instanceof Uint8Array ? load.token : undefined;
  // The minion's clear token is not recorded, but the master's key opens the sealed one.
  const clearToken = sealedToken ? oaepOpen(file.keys.master_pem, sealedToken) : undefined;
  return { load, id, nonce, sealedToken, clearToken, v3: pair.request.version === 3 };
}

/** The values shared by a run's accepted replies: the shared AES key and the publish port. */
function runSecrets(file: PairFile): { aes: string; publishPort: number } {
  const accepted = file.pairs.find((p) => p.kind === 'rep_auth_accepted')!;
  return { aes: accepted.reply_checks[CHECK_AES] as string, publishPort: accepted.reply_inner.publish_port as number };
}

async function brineMaster(file: PairFile, pair: Pair, suite: CryptoSuite): Promise<MasterFixture> {
  const { aes, publishPort } = runSecrets(file);
  const fixture = await createMaster({
    suite,
    keys: { privatePem: file.keys.master_pem, publicPem: file.keys.master_pub },
    aesKey: aes,
    auth: { publishPort },
    channel: { minimumAuthVersion: pair.request.version },
  });
  const { id } = describePair(file, pair);
  await fixture.store.putMinionKey(
    pair.kind === 'rep_auth_accepted' ? 'accepted' : 'pending',
    id,
    file.keys.minion_pub,
  );
  return fixture;
}

async function minionKeys(file: PairFile): Promise<MinionKeys> {
  return MinionKeys.load(
    await storeWith('minion', { privatePem: file.keys.minion_pem, publicPem: file.keys.minion_pub }),
    nodeSuite,
  );
}

/** Brine's minion verification of `reply` to `pair`'s request, pinned when the request carried a token (as the real minion was). */
async function brineVerify(file: PairFile, pair: Pair, reply: unknown, pinned: string | undefined) {
  const { load, nonce, clearToken } = describePair(file, pair);
  const ctx = {
    suite: nodeSuite,
    keys: await minionKeys(file),
    id: load.id as string,
    encAlgo: 'OAEP-SHA1',
    sigAlgo: 'PKCS1v15-SHA1',
    pinnedMasterPem: pinned,
    clearToken: clearToken ?? new Uint8Array(76),
  };
  return verifySignIn(ctx, { load, nonce, token: clearToken }, reply);
}

describe.each(FILES)('%s', (name) => {
  const file = loadVector<PairFile>(name);
  const keys = { masterPub: file.keys.master_pub, minionPem: file.keys.minion_pem };
  const pairs = file.pairs.map((p, i) => [`${i} ${p.kind}${'token' in p.request.load ? ' (token)' : ''}`, p] as const);

  it('holds pending and accepted pairs, with and without a token', () => {
    expect(file.keys.minion_master_pub.trim()).toBe(file.keys.master_pub.trim());
    expect(file.pairs.filter((p) => p.kind === 'rep_auth_pending').length).toBeGreaterThan(0);
    expect(file.pairs.filter((p) => p.kind === 'rep_auth_accepted' && 'token' in p.request.load)).toHaveLength(1);
  });

  describe('recorded Salt replies', () => {
    it.each(pairs)('%s: the Salt-mirroring checks give reply_checks exactly', (_, pair) => {
      const { checks, inner } = saltReplyChecks(fromTyped(pair.reply), keys);
      expect(checks).toEqual(pair.reply_checks);
      expect(inner).toEqual(fromTyped(pair.reply_inner));
    });

    it.each(pairs)('%s: Brine’s minion verification accepts it', async (_, pair) => {
      const { sealedToken } = describePair(file, pair);
      const reply = fromTyped(pair.reply);
      // The pin as the real minion had it (a token is only sent with a pinned master key) ...
      const outcome = await brineVerify(file, pair, reply, sealedToken ? file.keys.minion_master_pub : undefined);
      // ... and with the pin on every reply, so the clear signature is always checked.
      const pinnedOutcome = await brineVerify(file, pair, overTheWire(reply), file.keys.minion_master_pub);
      if (pair.kind === 'rep_auth_pending') {
        expect(outcome).toMatchObject({ kind: 'pending' });
        expect(pinnedOutcome).toEqual({ kind: 'pending', verified: true });
        return;
      }
      expect(outcome).toEqual({
        kind: 'accepted',
        aes: pair.reply_checks[CHECK_AES],
        session: pair.reply_checks[CHECK_SESSION],
        publishPort: pair.reply_inner.publish_port,
        masterPem: cleanKey(file.keys.master_pub),
        pinMaster: sealedToken === undefined,
      });
      expect(pinnedOutcome).toMatchObject({ kind: 'accepted', aes: pair.reply_checks[CHECK_AES], pinMaster: false });
    });
  });

  describe.each([
    ['node', nodeSuite],
    ['forge', forgeSuite],
  ] as const)('a Brine master (%s suite) given the recorded request', (_, suite) => {
    it.each(pairs)('%s: builds a reply that passes Salt’s checks', async (_, pair) => {
      const fixture = await brineMaster(file, pair, suite);
      const { id, nonce, clearToken } = describePair(file, pair);
      const reply = overTheWire(await fixture.handle(overTheWire(fromTyped(pair.request))));
      expect(fixture.errors).toEqual([]);
      const { checks, inner, load, sig } = saltReplyChecks(reply, keys);
      if (pair.kind === 'rep_auth_pending') {
        // Deterministic: Salt's signed load and signature, byte for byte.
        expect(toHex(load)).toBe(toHex(typedBytes(pair.reply.load)));
        expect(toHex(sig)).toBe(toHex(typedBytes(pair.reply.sig)));
        expect(checks).toEqual(pair.reply_checks);
        return;
      }
      // Same checks, same values (same AES key, same token); the session key is Brine's own.
      const session = fixture.sessions.keyFor(id);
      expect(checks).toEqual({ ...pair.reply_checks, [CHECK_SESSION]: session });
      if (clearToken) {
        expect(checks[CHECK_TOKEN]).toBe(bytes.utf8Decode(clearToken));
      }
      // Deterministic fields byte for byte, and Salt 3008's key order.
      const recorded = fromTyped(pair.reply_inner) as Dict;
      for (const key of ['enc', 'pub_key', 'publish_port', 'sig', 'nonce'])
        expect(inner[key], key).toEqual(recorded[key]);
      expect(inner.nonce).toBe(nonce);
      const order = Object.keys(recorded);
      if (!order.includes('session')) order.splice(order.indexOf('aes') + 1, 0, 'session');
      expect(Object.keys(inner)).toEqual(order);
      expect(checks[CHECK_SIG_RECOVERED]).toBe(pair.reply_checks[CHECK_SIG_RECOVERED]);
      // Brine's own minion takes it too.
      const outcome = await brineVerify(file, pair, reply, file.keys.minion_master_pub);
      expect(outcome).toMatchObject({ kind: 'accepted', aes: pair.reply_checks[CHECK_AES], session });
    });
  });

  it('Salt’s own checks (Python) pass on the Brine-built replies', async (ctx) => {
    const found = saltPython();
    if (found.python === undefined) return ctx.skip(found.reason);
    const { saltVersion, results } = await saltRun(found.python);
    expect(saltVersion).toMatch(/^300[78]\./);
    const mine = results.filter((r) => r.file === name);
    expect(mine).toHaveLength(file.pairs.length);
    for (const { index, want, result } of mine) {
      const label = `pair ${index}`;
      expect(result.primitives.clear_signature_valid, label).toBe(true);
      expect(result.primitives.nonce, label).toBe(want.nonce);
      if (want.pending) {
        expect(result.signin, label).toEqual({ result: 'retry' });
        continue;
      }
      expect(result.primitives, label).toMatchObject({
        aes: want.aes,
        sig_matches_sha256_hex_of_aes: true,
        session: want.session,
        ...(want.token ? { token: want.token, token_matches_request: true } : {}),
      });
      expect(result.signin, label).toEqual({
        aes: want.aes,
        session: want.session,
        publish_port: want.publishPort,
        pinned_after: true,
      });
    }
  });
});

interface Expected {
  nonce: string;
  pending: boolean;
  aes?: string;
  session?: string;
  token?: string;
  publishPort?: number;
}

/** A Salt check case for `reply`, Brine's answer to `pair`. */
function saltCase(file: PairFile, pair: Pair, reply: Dict): SaltCheckCase {
  const { id, nonce, sealedToken, clearToken } = describePair(file, pair);
  return {
    id,
    nonce,
    minion_pem: file.keys.minion_pem,
    minion_pub: file.keys.minion_pub,
    master_pub: file.keys.master_pub,
    master_pem: file.keys.master_pem,
    pinned: sealedToken !== undefined,
    ...(sealedToken ? { request_token: b64text(sealedToken) } : {}),
    ...(clearToken ? { clear_token: bytes.utf8Decode(clearToken) } : {}),
    reply: {
      load: b64text(bytes.asBytes(reply.load as string | Uint8Array)),
      sig: b64text(bytes.asBytes(reply.sig as string | Uint8Array)),
    },
  };
}

let saltRunPromise:
  | Promise<{
      saltVersion: string;
      results: { file: string; index: number; want: Expected; result: SaltCheckResult }[];
      tampered: SaltCheckResult;
    }>
  | undefined;

/**
 * One Python run for every file (Salt takes seconds to import): Brine's reply to every recorded
 * request, plus one reply with a corrupted signature that Salt must refuse (so the run can fail).
 */
function saltRun(python: string) {
  saltRunPromise ??= (async () => {
    const cases: SaltCheckCase[] = [];
    const meta: { file: string; index: number; want: Expected }[] = [];
    let tamperedCase: SaltCheckCase | undefined;
    for (const name of FILES) {
      const file = loadVector<PairFile>(name);
      for (const [index, pair] of file.pairs.entries()) {
        const fixture = await brineMaster(file, pair, nodeSuite);
        const { id, nonce, clearToken } = describePair(file, pair);
        const reply = overTheWire(await fixture.handle(overTheWire(fromTyped(pair.request))));
        if (!isDict(reply)) throw new Error('no reply');
        cases.push(saltCase(file, pair, reply));
        const pending = pair.kind === 'rep_auth_pending';
        const { aes, publishPort } = runSecrets(file);
        meta.push({
          file: name,
          index,
          want: pending
            ? { nonce, pending }
            : {
                nonce,
                pending,
                aes,
                publishPort,
                session: fixture.sessions.keyFor(id),
                ...(clearToken ? { token: bytes.utf8Decode(clearToken) } : {}),
              },
        });
        if (!tamperedCase && clearToken) {
          const sig = bytes.asBytes(reply.sig as string | Uint8Array).slice();
          sig[10]! ^= 0x01;
          tamperedCase = saltCase(file, pair, { ...reply, sig });
        }
      }
    }
    const { saltVersion, results } = runSaltChecks(python, [...cases, tamperedCase!]);
    return {
      saltVersion,
      results: meta.map((m, i) => ({ ...m, result: results[i]! })),
      tampered: results[cases.length]!,
    };
  })();
  return saltRunPromise;
}

it('Salt’s own checks (Python) refuse a Brine reply whose clear signature was corrupted', async (ctx) => {
  const found = saltPython();
  if (found.python === undefined) return ctx.skip(found.reason);
  const { tampered } = await saltRun(found.python);
  expect(tampered.primitives.clear_signature_valid).toBe(false);
  expect(tampered.signin).toEqual({ error: expect.stringContaining('Invalid signature') });
});
