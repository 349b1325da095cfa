/**
 * auth_exchange.json: five `_auth` exchanges Salt 3007.1 ran through its real code paths with
 * pinned nonces, OAEP seeds, token and AES key. Brine must (a) as a master answer each request
 * with Salt's bytes, fire the same `salt/auth` events and leave the same files, and (b) as a
 * minion accept each recorded reply with Salt's verdict.
 */
import { describe, expect, it } from 'vitest';
import { ErrorCodes, bytes, dumps, loads } from '@brine/contracts';
import { MinionKeys, buildSignIn, cleanKey, isDict, verifySignIn, type Dict, type SignInContext } from '@brine/core';
import { createForgeSaltSuite } from '@brine/crypto/forge';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { hex, loadVector, toHex } from '../../../test/helpers/vectors.js';
import {
  createMaster,
  createMinion,
  directSender,
  overTheWire,
  rejection,
  seededRandom,
  storeFiles,
  storeWith,
  vectorPair,
} from './helpers/auth-fixtures.js';
import { fromTyped, typedBytes } from './helpers/typed.js';

interface Scenario {
  name: string;
  nonce: string;
  request_load: Record<string, unknown>;
  request_wire_hex: string;
  reply_wire_hex: string;
  reply_typed: { enc: string; load: unknown; sig: unknown };
  reply_inner_typed: Record<string, unknown>;
  oaep_seed_bytes_hex: string[];
  minion_result: 'retry' | 'SystemExit(77)' | { master_uri: string; aes: string; publish_port: number };
  master_events: { tag: string; data: Record<string, unknown> }[];
  files_after: string[];
}

const vector = loadVector<{ aes_key_string: string; minion_token: string; scenarios: Scenario[] }>(
  'auth_exchange.json',
);
const master = vectorPair('master');
const minion = vectorPair('minion');
const impostorKey = vectorPair('master_sign').publicPem;
const clearToken = bytes.utf8Encode(vector.minion_token);
const nodeSuite = createNodeSaltSuite();

const hasToken = (s: Scenario): boolean => 'token' in s.request_load;
const isAccept = (s: Scenario): boolean => typeof s.minion_result === 'object';
/** OAEP seeds Salt consumed: the minion's request token first (when sent), then the master's reply. */
const masterSeeds = (s: Scenario): Uint8Array[] => s.oaep_seed_bytes_hex.slice(hasToken(s) ? 1 : 0).map(hex);

/** The master key store arranged so Salt's decision for the scenario is reached. */
async function arrangeMaster(s: Scenario, store: Awaited<ReturnType<typeof storeWith>>): Promise<void> {
  const pub = s.request_load.pub as string;
  switch (s.name) {
    case 'new_minion_pending':
      return;
    case 'accepted_first_contact_no_token':
    case 'accepted_with_token':
      return store.putMinionKey('accepted', 'minion1', pub);
    case 'rejected':
      return store.putMinionKey('rejected', 'minion1', pub);
    case 'denied_key_mismatch':
      return store.putMinionKey('accepted', 'minion1', impostorKey);
    default:
      throw new Error(`unknown scenario ${s.name}`);
  }
}

async function brineMaster(s: Scenario) {
  const suite = createForgeSaltSuite({ randomBytes: seededRandom(masterSeeds(s)) });
  const fixture = await createMaster({
    suite,
    keys: master,
    aesKey: vector.aes_key_string,
    channel: { minimumAuthVersion: 2 },
  });
  await arrangeMaster(s, fixture.store);
  return fixture;
}

function signInContext(suite: SignInContext['suite'], keys: MinionKeys, pinned: string | undefined): SignInContext {
  return {
    suite,
    keys,
    id: 'minion1',
    encAlgo: 'OAEP-SHA1',
    sigAlgo: 'PKCS1v15-SHA1',
    pinnedMasterPem: pinned,
    clearToken,
  };
}

describe('auth_exchange.json: deterministic _auth exchanges (Salt 3007.1)', () => {
  it('covers the five scenarios of the vector', () => {
    expect(vector.scenarios.map((s) => s.name)).toEqual([
      'new_minion_pending',
      'accepted_first_contact_no_token',
      'accepted_with_token',
      'rejected',
      'denied_key_mismatch',
    ]);
  });

  describe.each(vector.scenarios.map((s) => [s.name, s] as const))('%s', (_, s) => {
    it('request: the recorded load in a v2 clear envelope encodes to request_wire_hex', () => {
      const load = fromTyped(s.request_load) as Dict;
      expect(toHex(dumps({ enc: 'clear', load, version: 2 }))).toBe(s.request_wire_hex);
      expect(loads(hex(s.request_wire_hex))).toEqual({ enc: 'clear', load, version: 2 });
    });

    it('request: buildSignIn makes the same load (token byte for byte with the recorded OAEP seed)', async () => {
      const seed = hasToken(s) ? [hex(s.oaep_seed_bytes_hex[0]!)] : [];
      const suite = createForgeSaltSuite({ randomBytes: seededRandom(seed) });
      const keys = await MinionKeys.load(await storeWith('minion', minion), suite);
      const request = await buildSignIn(signInContext(suite, keys, hasToken(s) ? master.publicPem : undefined));
      // Brine speaks the 3008 layout: the FIPS algorithm names ride along.
      const expectedKeys = ['cmd', 'id', 'nonce', 'enc_algo', 'sig_algo', ...(hasToken(s) ? ['token'] : []), 'pub'];
      expect(Object.keys(request.load)).toEqual(expectedKeys);
      expect(request.nonce).toMatch(/^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$/);
      expect(request.load.enc_algo).toBe('OAEP-SHA1');
      expect(request.load.sig_algo).toBe('PKCS1v15-SHA1');
      expect(request.token).toEqual(hasToken(s) ? clearToken : undefined);
      // Without the 3008-only fields and with the recorded nonce (uuid4 is random), the bytes are Salt's.
      const { enc_algo: _e, sig_algo: _s, ...salt3007 } = request.load;
      salt3007.nonce = s.nonce;
      expect(toHex(dumps({ enc: 'clear', load: salt3007, version: 2 }))).toBe(s.request_wire_hex);
    });

    it('master: the reply to request_wire_hex matches Salt (byte for byte; accept replies modulo 3008 `session`)', async () => {
      const fixture = await brineMaster(s);
      const reply = await fixture.handle(loads(hex(s.request_wire_hex)));
      expect(fixture.errors).toEqual([]);
      if (!isAccept(s)) {
        // PKCS#1 v1.5 is deterministic: the whole reply is Salt's, byte for byte.
        expect(toHex(dumps(reply))).toBe(s.reply_wire_hex);
        return;
      }
      if (!isDict(reply) || !(reply.load instanceof Uint8Array) || !(reply.sig instanceof Uint8Array)) {
        throw new Error('accept reply is not clear-signed');
      }
      expect(Object.keys(reply)).toEqual(['enc', 'load', 'sig']);
      const inner = loads(reply.load) as Dict;
      const salt = fromTyped(s.reply_inner_typed) as Dict;
      // 3008 key order: Salt 3007.1's, with `session` (3008, sent to every client version) after `aes`.
      const saltKeys = Object.keys(salt);
      saltKeys.splice(saltKeys.indexOf('aes') + 1, 0, 'session');
      expect(Object.keys(inner)).toEqual(saltKeys);
      // Every Salt field is byte-identical: OAEP `aes`/`token` with the recorded seeds, X9.31 `sig`.
      for (const key of Object.keys(salt)) expect(inner[key], key).toEqual(salt[key]);
      expect(inner.session).toBeInstanceOf(Uint8Array);
      // Without `session` the signed load and its signature are Salt's bytes, and so is the reply.
      const { session: _session, ...without } = inner;
      const signed = dumps(without);
      expect(toHex(signed)).toBe(toHex(typedBytes(s.reply_typed.load)));
      const sig = await fixture.suite.sign(fixture.masterKeys.privateKey, signed);
      expect(toHex(sig)).toBe(toHex(typedBytes(s.reply_typed.sig)));
      expect(toHex(dumps({ enc: 'clear', load: signed, sig }))).toBe(s.reply_wire_hex);
      // And Brine's own reply carries a valid signature over what it did send.
      expect(await fixture.suite.verify(fixture.masterKeys.publicKey, reply.load, reply.sig)).toBe(true);
    });

    it('master: fires the salt/auth events of master_events and leaves the files of files_after', async () => {
      const fixture = await brineMaster(s);
      await fixture.handle(loads(hex(s.request_wire_hex)));
      expect(s.master_events.every((e) => e.tag === 'salt/auth')).toBe(true);
      expect(fixture.events).toHaveLength(s.master_events.length);
      s.master_events.forEach((e, i) => expect(fixture.events[i]).toMatchObject(e.data));
      // Salt 3007.1 leaves `act` out of the rejection event; Brine sends it as 3008 does.
      if (s.name === 'rejected') expect(fixture.events[0]!.act).toBe('reject');
      const masterFiles = s.files_after.filter((f) => f.startsWith('master/'));
      expect(await storeFiles(fixture.store, 'master')).toEqual(masterFiles);
      // The denied key is the one presented; the accepted key stays as it was.
      if (s.name === 'denied_key_mismatch') {
        expect(await fixture.store.getMinionKey('denied', 'minion1')).toBe(s.request_load.pub);
        expect(await fixture.store.getMinionKey('accepted', 'minion1')).toBe(impostorKey);
      }
    });

    it('minion: verifySignIn gives Salt’s verdict on the recorded reply', async () => {
      const keys = await MinionKeys.load(await storeWith('minion', minion), nodeSuite);
      const pinned = hasToken(s) ? master.publicPem : undefined;
      const ctx = signInContext(nodeSuite, keys, pinned);
      const request = {
        load: fromTyped(s.request_load) as Dict,
        nonce: s.nonce,
        token: pinned ? clearToken : undefined,
      };
      const outcome = await verifySignIn(ctx, request, loads(hex(s.reply_wire_hex)));
      const result = s.minion_result;
      if (result === 'retry') expect(outcome).toMatchObject({ kind: 'pending' });
      else if (result === 'SystemExit(77)') expect(outcome).toMatchObject({ kind: 'rejected' });
      else {
        expect(outcome).toEqual({
          kind: 'accepted',
          aes: result.aes,
          session: undefined,
          publishPort: result.publish_port,
          masterPem: cleanKey(master.publicPem),
          pinMaster: !hasToken(s),
        });
      }
      // With the master key pinned every reply's clear signature is checked too, with the same verdict.
      const withPin = await verifySignIn(
        signInContext(nodeSuite, keys, master.publicPem),
        request,
        loads(hex(s.reply_wire_hex)),
      );
      expect(withPin.kind).toBe(outcome.kind);
    });

    it('end to end: a Brine minion (AsyncAuth, v2) against a Brine master ends like Salt and leaves files_after', async () => {
      const fixture = await createMaster({
        suite: nodeSuite,
        keys: master,
        aesKey: vector.aes_key_string,
        channel: { minimumAuthVersion: 2 },
      });
      await arrangeMaster(s, fixture.store);
      const node = await createMinion({
        suite: nodeSuite,
        send: directSender(fixture),
        keys: minion,
        pinnedMasterPem: hasToken(s) ? master.publicPem : undefined,
        auth: { version: 2 },
      });
      const attempt = node.auth.authenticate();
      const result = s.minion_result;
      if (result === 'retry') {
        await node.auth.events.once('state', { filter: (t) => t.to === 'pending' });
        node.auth.close();
        expect((await rejection(attempt)).code).toBe(ErrorCodes.CLOSED);
      } else if (result === 'SystemExit(77)') {
        expect((await rejection(attempt)).code).toBe(ErrorCodes.AUTH_REJECTED);
        expect(node.auth.state).toBe('rejected');
      } else {
        const creds = await attempt;
        expect({ master_uri: creds.masterUri, aes: creds.aes, publish_port: creds.publishPort }).toEqual(result);
        expect(creds.session).toBe(fixture.sessions.keyFor('minion1'));
        expect(await node.store.readFile('minion_master.pub')).toBe(cleanKey(master.publicPem));
      }
      const files = [...(await storeFiles(fixture.store, 'master')), ...(await storeFiles(node.store, 'minion'))];
      expect(files.sort()).toEqual(s.files_after);
      expect(fixture.errors).toEqual([]);
      node.auth.close();
    });
  });

  it('the recorded request nonce reaches the reply unchanged over the wire', async () => {
    const s = vector.scenarios[0]!;
    const fixture = await brineMaster(s);
    const reply = overTheWire(await fixture.handle(overTheWire(loads(hex(s.request_wire_hex)))));
    expect(isDict(reply) && loads(bytes.asBytes(reply.load as string | Uint8Array))).toEqual({
      ret: true,
      nonce: s.nonce,
    });
  });
});
