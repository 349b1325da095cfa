/**
 * Negative cases of the `_auth` handshake: forged or altered replies, a changed master key,
 * refused algorithms and hostile minion ids. Each asserts the typed error and that the same
 * master / minion keeps working afterwards.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, bytes, dumps, loads, type BrineError } from '@brine/contracts';
import { MinionKeys, isDict, verifySignIn, type AuthTransition, type Dict, type SignInContext } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { hex, loadVector } from '../../../test/helpers/vectors.js';
import {
  createMaster,
  createMinion,
  directSender,
  overTheWire,
  rejection,
  storeWith,
  vectorPair,
  type MasterFixture,
} from './helpers/auth-fixtures.js';
import { startNetwork, type Network } from './helpers/network.js';
import { fromTyped } from './helpers/typed.js';

const suite = createNodeSaltSuite();
const master = vectorPair('master');
const minion = vectorPair('minion');
/** A second, unrelated RSA key: the "other" master. */
const impostor = vectorPair('master_sign');

const exchange = loadVector<{
  minion_token: string;
  scenarios: { name: string; nonce: string; request_load: Record<string, unknown>; reply_wire_hex: string }[];
}>('auth_exchange.json');
const scenario = (name: string) => exchange.scenarios.find((s) => s.name === name)!;

async function signInContext(pinned: string | undefined): Promise<SignInContext> {
  return {
    suite,
    keys: await MinionKeys.load(await storeWith('minion', minion), suite),
    id: 'minion1',
    encAlgo: 'OAEP-SHA1',
    sigAlgo: 'PKCS1v15-SHA1',
    pinnedMasterPem: pinned,
    clearToken: bytes.utf8Encode(exchange.minion_token),
  };
}

/** The recorded reply of `name`, with `edit` applied to its decoded outer dict. */
function recordedReply(name: string, edit: (reply: Dict) => void = () => {}): Dict {
  const reply = loads(hex(scenario(name).reply_wire_hex)) as Dict;
  edit(reply);
  return reply;
}

const flip = (b: unknown, at: number): Uint8Array => {
  const out = bytes.asBytes(b as Uint8Array).slice();
  out[at]! ^= 0x01;
  return out;
};

/** Re-signs an edited inner load with `pem` (a master that really holds that key). */
async function resigned(inner: Dict, pem: string): Promise<Dict> {
  const load = dumps(inner);
  return { enc: 'clear', load, sig: await suite.sign(suite.importPrivateKey(pem), load) };
}

describe('verifySignIn refuses altered replies (ERR_BAD_SIGNATURE and friends)', () => {
  const withToken = scenario('accepted_with_token');
  const request = {
    load: fromTyped(withToken.request_load) as Dict,
    nonce: withToken.nonce,
    token: bytes.utf8Encode(exchange.minion_token),
  };

  it('accepts the untouched recorded reply (the baseline the cases below alter)', async () => {
    const outcome = await verifySignIn(
      await signInContext(master.publicPem),
      request,
      recordedReply('accepted_with_token'),
    );
    expect(outcome.kind).toBe('accepted');
  });

  it('a flipped bit in the clear signature', async () => {
    const reply = recordedReply('accepted_with_token', (r) => (r.sig = flip(r.sig, 17)));
    const error = await rejection(verifySignIn(await signInContext(master.publicPem), request, reply));
    expect(error.code).toBe(ErrorCodes.BAD_SIGNATURE);
  });

  it('a changed byte in the signed load (the nonce)', async () => {
    const reply = recordedReply('accepted_with_token', (r) => {
      const load = bytes.asBytes(r.load as Uint8Array).slice();
      const at = Buffer.from(load).lastIndexOf(Buffer.from(withToken.nonce));
      expect(at).toBeGreaterThan(0);
      load[at] = 0x34; // '3' -> '4': still valid msgpack, no longer what the master signed
      r.load = load;
    });
    const error = await rejection(verifySignIn(await signInContext(master.publicPem), request, reply));
    expect(error.code).toBe(ErrorCodes.BAD_SIGNATURE);
  });

  it('a pending reply signed by another key than the pinned one', async () => {
    const pending = scenario('new_minion_pending');
    const reply = await resigned({ ret: true, nonce: pending.nonce }, impostor.privatePem);
    const pendingRequest = { load: fromTyped(pending.request_load) as Dict, nonce: pending.nonce, token: undefined };
    const error = await rejection(verifySignIn(await signInContext(master.publicPem), pendingRequest, reply));
    expect(error.code).toBe(ErrorCodes.BAD_SIGNATURE);
    // Without a pin Salt cannot check a pending reply's signature either: it is taken as pending.
    expect(await verifySignIn(await signInContext(undefined), pendingRequest, reply)).toEqual({
      kind: 'pending',
      verified: false,
    });
  });

  it('an accept reply whose X9.31 aes signature does not match the aes key (correctly clear-signed)', async () => {
    const inner = loads(recordedReply('accepted_with_token').load as Uint8Array) as Dict;
    inner.sig = await suite.signToken(suite.importPrivateKey(master.privatePem), bytes.utf8Encode('0'.repeat(64)));
    const error = await rejection(
      verifySignIn(await signInContext(master.publicPem), request, await resigned(inner, master.privatePem)),
    );
    expect(error.code).toBe(ErrorCodes.BAD_SIGNATURE);
  });

  it('an accept reply that does not echo our token', async () => {
    const inner = loads(recordedReply('accepted_with_token').load as Uint8Array) as Dict;
    inner.token = await suite.seal(suite.importPublicKey(minion.publicPem), bytes.utf8Encode('x'.repeat(76)));
    const error = await rejection(
      verifySignIn(await signInContext(master.publicPem), request, await resigned(inner, master.privatePem)),
    );
    expect(error.code).toBe(ErrorCodes.TOKEN_INVALID);
    delete inner.token;
    const missing = await rejection(
      verifySignIn(await signInContext(master.publicPem), request, await resigned(inner, master.privatePem)),
    );
    expect(missing.code).toBe(ErrorCodes.TOKEN_INVALID);
  });

  it('a reply to another request (nonce mismatch)', async () => {
    const error = await rejection(
      verifySignIn(
        await signInContext(master.publicPem),
        { ...request, nonce: 'f'.repeat(32) },
        recordedReply('accepted_with_token'),
      ),
    );
    expect(error.code).toBe(ErrorCodes.NONCE_MISMATCH);
  });

  it('an unsigned (protocol < 2) reply and malformed replies', async () => {
    const ctx = await signInContext(master.publicPem);
    expect((await rejection(verifySignIn(ctx, request, { enc: 'clear', load: { ret: true } }))).code).toBe(
      ErrorCodes.BAD_SIGNATURE,
    );
    for (const reply of ['bad load', null, 42, {}, { load: 'x' }, { load: new Uint8Array([0xc1]), sig: 'x' }]) {
      const error = await rejection(verifySignIn(ctx, request, reply));
      expect([ErrorCodes.BAD_LOAD, ErrorCodes.DECODE]).toContain(error.code);
    }
  });
});

describe('AsyncAuth against a master that misbehaves', () => {
  let fixture: MasterFixture;
  let network: Network | undefined;

  afterEach(async () => {
    await network?.close();
    network = undefined;
  });

  it('a tampered clear signature: ERR_BAD_SIGNATURE, state failed, then the next sign-in succeeds', async () => {
    fixture = await createMaster({ suite });
    await fixture.store.putMinionKey('accepted', 'minion1', minion.publicPem);
    const honest = directSender(fixture);
    let tamper = true;
    const node = await createMinion({
      suite,
      pinnedMasterPem: master.publicPem,
      send: async (envelope, options) => {
        const reply = await honest(envelope, options);
        if (tamper && isDict(reply)) {
          tamper = false;
          return { ...reply, sig: flip(reply.sig, 3) };
        }
        return reply;
      },
    });
    const creds = await node.auth.authenticate();
    expect(creds.session).toBe(fixture.sessions.keyFor('minion1'));
    const failed = node.states.filter((t) => t.to === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error?.code).toBe(ErrorCodes.BAD_SIGNATURE);
    expect(failed[0]!.retryIn).toBe(0.01);
    expect(node.states.at(-1)!.to).toBe('authenticated');
    node.auth.close();
  });

  it('a changed master key vs minion_master.pub over TCP: ERR_MASTER_KEY_CHANGED, retried with back-off, never thrown; the master serves others', async () => {
    fixture = await createMaster({ suite });
    await fixture.store.putMinionKey('accepted', 'minion1', minion.publicPem);
    network = await startNetwork(fixture);
    const client = await network.client();
    const node = await createMinion({
      suite,
      pinnedMasterPem: impostor.publicPem, // the minion trusted another master before
      send: (envelope, options) => client.request(envelope, options),
      auth: { acceptanceWaitTime: 0.05, acceptanceWaitTimeMax: 0.2 },
    });
    let settled = false;
    const attempt = node.auth.authenticate().finally(() => (settled = true));
    const failures: AuthTransition[] = [];
    await node.auth.events.once('state', {
      filter: (t) => {
        if (t.to === 'failed') failures.push(t);
        return failures.length === 4;
      },
    });
    expect(failures.map((t) => t.error?.code)).toEqual(Array(4).fill(ErrorCodes.MASTER_KEY_CHANGED));
    // acceptance_wait_time doubles up to acceptance_wait_time_max.
    expect(failures.map((t) => t.retryIn)).toEqual([0.05, 0.1, 0.2, 0.2]);
    expect(settled).toBe(false);
    expect(node.auth.state).toBe('failed');
    expect(node.auth.creds).toBeUndefined();
    // The pin is left alone: a changed master key is never trusted on its own say-so.
    expect(await node.store.readFile('minion_master.pub')).toBe(impostor.publicPem);
    node.auth.close();
    expect((await rejection(attempt)).code).toBe(ErrorCodes.CLOSED);
    // The master saw a token sealed to another key on every attempt (and answered without it, as Salt does).
    expect(fixture.errors.length).toBeGreaterThanOrEqual(4);
    expect(new Set(fixture.errors.map((e) => e.code))).toEqual(new Set([ErrorCodes.CRYPTO]));
    const reported = fixture.errors.length;

    // The master and the connection keep working: a minion with the right pin signs in.
    const good = await createMinion({
      suite,
      pinnedMasterPem: master.publicPem,
      send: (envelope, options) => client.request(envelope, options),
    });
    const creds = await good.auth.authenticate({ timeout: 10_000 });
    expect(creds.aes).toBe(fixture.shared.key);
    expect(fixture.errors).toHaveLength(reported);
    good.auth.close();
  });

  it('a master fingerprint mismatch (master_finger) is ERR_MASTER_KEY_CHANGED too, and retried', async () => {
    fixture = await createMaster({ suite });
    await fixture.store.putMinionKey('accepted', 'minion1', minion.publicPem);
    const node = await createMinion({ suite, send: directSender(fixture), auth: { masterFinger: 'aa:bb' } });
    const attempt = node.auth.authenticate();
    const [failed] = await node.auth.events.once('state', { filter: (t) => t.to === 'failed' });
    expect(failed.error?.code).toBe(ErrorCodes.MASTER_KEY_CHANGED);
    // The unverified master key is not pinned.
    expect(await node.store.readFile('minion_master.pub')).toBeUndefined();
    node.auth.close();
    expect((await rejection(attempt)).code).toBe(ErrorCodes.CLOSED);
  });
});

describe('refused algorithms: {ret: "bad enc algo" | "bad sig algo"} and ERR_UNSUPPORTED_SUITE', () => {
  const cases = [
    ['enc_algo', { encryptionAlgorithm: 'OAEP-MD5' }, 'bad enc algo'],
    ['sig_algo', { signingAlgorithm: 'PKCS1v15-MD5' }, 'bad sig algo'],
  ] as const;

  it.each(cases)(
    'unknown %s: the master answers unsigned; the minion logs ERR_UNSUPPORTED_SUITE and retries (never fatal)',
    async (field, option, ret) => {
      const fixture = await createMaster({ suite, auth: { autoAccept: true } });
      const load = {
        cmd: '_auth',
        id: 'minion1',
        nonce: 'a'.repeat(32),
        enc_algo: 'OAEP-SHA1',
        sig_algo: 'PKCS1v15-SHA1',
        pub: minion.publicPem,
        [field]: Object.values(option)[0],
      };
      expect(await fixture.handle({ enc: 'clear', load, version: 3 })).toEqual({ enc: 'clear', load: { ret } });
      // Nothing decided, nothing stored.
      expect(fixture.events).toEqual([]);
      expect(await fixture.store.listMinionKeys('accepted')).toEqual([]);
      expect(await fixture.store.listMinionKeys('pending')).toEqual([]);

      const node = await createMinion({
        suite,
        send: directSender(fixture),
        auth: { ...option, acceptanceWaitTime: 0.01 },
      });
      const states: string[] = [];
      node.auth.events.on('state', (t) => states.push(`${t.to}:${t.error?.code ?? ''}`));
      const attempt = node.auth.authenticate();
      // Two failed attempts in a row: the unsigned answer was retried with back-off.
      await node.auth.events.once('state', { filter: (t) => t.to === 'failed' });
      const [second] = await node.auth.events.once('state', { filter: (t) => t.to === 'failed' });
      expect(second.error?.code).toBe(ErrorCodes.UNSUPPORTED_SUITE);
      expect(second.retryIn).toBeGreaterThan(0);
      expect(states.filter((x) => x === 'signing-in:')).not.toHaveLength(0);
      // A caller with a deadline learns the last failure as the cause of its ERR_TIMEOUT.
      const timedOut = await rejection(node.auth.authenticate({ timeout: 50 }));
      expect(timedOut.code).toBe(ErrorCodes.TIMEOUT);
      expect((timedOut.cause as BrineError).code).toBe(ErrorCodes.UNSUPPORTED_SUITE);
      node.auth.close();
      expect((await rejection(attempt)).code).toBe(ErrorCodes.CLOSED);

      // The same master accepts a minion speaking Salt's defaults.
      const good = await createMinion({ suite, send: directSender(fixture) });
      expect((await good.auth.authenticate()).aes).toBe(fixture.shared.key);
      good.auth.close();
      node.auth.close();
    },
  );
});

describe('hostile minion ids in _auth: a signed {ret: false}, nothing stored', () => {
  const hostile: [string, unknown][] = [
    ['../x', '../x'],
    ['minion/../../foo', 'minion/../../foo'],
    ['empty', ''],
    ['300 chars', 'm'.repeat(300)],
    ['NUL', 'a\u0000b'],
    ['control char', 'a\u0001b'],
    ['newline', 'minion\n1'],
    ['DEL', 'a\u007fb'],
    ['dot', '.'],
    ['dot dot', '..'],
    ['backslash', 'a\\b'],
    ['leading space', ' minion1'],
    ['not a string', 42],
    ['bytes', new Uint8Array([0xff, 0xfe])],
  ];

  it.each(hostile)('%s', async (_, id) => {
    const fixture = await createMaster({ suite, auth: { autoAccept: true } });
    const nonce = 'b'.repeat(32);
    const reply = overTheWire(
      await fixture.handle(
        overTheWire({ enc: 'clear', load: { cmd: '_auth', id, nonce, pub: minion.publicPem }, version: 3 }),
      ),
    );
    if (!isDict(reply)) throw new Error('no reply');
    const signed = bytes.asBytes(reply.load as Uint8Array);
    expect(loads(signed)).toEqual({ ret: false, nonce });
    expect(
      await suite.verify(suite.importPublicKey(master.publicPem), signed, bytes.asBytes(reply.sig as Uint8Array)),
    ).toBe(true);
    for (const state of ['accepted', 'pending', 'rejected', 'denied'] as const) {
      expect(await fixture.store.listMinionKeys(state)).toEqual([]);
    }
    expect(fixture.events).toEqual([]);
    expect(fixture.errors.map((e) => e.code)).toEqual([ErrorCodes.INVALID_MINION_ID]);
    // The master still accepts a good id.
    const node = await createMinion({ suite, send: directSender(fixture) });
    expect((await node.auth.authenticate()).aes).toBe(fixture.shared.key);
    expect(await fixture.store.listMinionKeys('accepted')).toEqual(['minion1']);
    node.auth.close();
  });

  it('a Brine minion configured with a hostile id is rejected (ERR_AUTH_REJECTED), not crashed', async () => {
    const fixture = await createMaster({ suite, auth: { autoAccept: true } });
    const node = await createMinion({ suite, id: 'minion/../../foo', send: directSender(fixture) });
    expect((await rejection(node.auth.authenticate())).code).toBe(ErrorCodes.AUTH_REJECTED);
    expect(await fixture.store.listMinionKeys('accepted')).toEqual([]);
  });
});
