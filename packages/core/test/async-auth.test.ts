import { describe, expect, it } from 'vitest';
import { dumps, ErrorCodes, TimeoutError } from '@brine/contracts';
import { CredentialsCache, type ClearSender } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { vectorKey } from '../../../test/helpers/vectors.js';
import { createMaster, createMinion, directSender, rejection } from './helpers/auth-fixtures.js';

const suite = createNodeSaltSuite();
const MASTER_PUB = vectorKey('master.pub');

function counting(send: ClearSender): { send: ClearSender; calls: () => number } {
  let calls = 0;
  return {
    send: (envelope, options) => {
      calls++;
      return send(envelope, options);
    },
    calls: () => calls,
  };
}

describe('AsyncAuth', () => {
  it('concurrent authenticate() calls share one sign-in', async () => {
    const master = await createMaster({ suite, auth: { autoAccept: true } });
    const wire = counting(directSender(master));
    const minion = await createMinion({ suite, send: wire.send });
    const results = await Promise.all(Array.from({ length: 5 }, () => minion.auth.authenticate()));
    expect(wire.calls()).toBe(1);
    expect(new Set(results.map((c) => c.aes))).toEqual(new Set([master.shared.key]));
    expect(minion.states.map((t) => t.to)).toEqual(['signing-in', 'authenticated']);
  });

  it('waits acceptance_wait_time between pending sign-ins, doubling up to acceptance_wait_time_max', async () => {
    const master = await createMaster({ suite });
    const minion = await createMinion({
      suite,
      send: directSender(master),
      auth: { acceptanceWaitTime: 0.01, acceptanceWaitTimeMax: 0.04 },
    });
    const pendings: number[] = [];
    const accepted = new Promise<void>((resolve) =>
      minion.auth.events.on('state', (t) => {
        if (t.to !== 'pending') return;
        pendings.push(t.retryIn!);
        if (pendings.length === 4)
          void master.store.moveMinionKey('minion1', 'pending', 'accepted').then(() => resolve());
      }),
    );
    const creds = minion.auth.authenticate();
    await accepted;
    expect((await creds).aes).toBe(master.shared.key);
    expect(pendings).toEqual([0.01, 0.02, 0.04, 0.04]);
    expect(minion.states.at(-1)?.to).toBe('authenticated');
  });

  it('sends a sign-in up to auth_tries times before counting it as failed', async () => {
    const master = await createMaster({ suite, auth: { autoAccept: true } });
    const real = directSender(master);
    let calls = 0;
    const flaky: ClearSender = (envelope, options) => {
      calls++;
      if (calls < 3) return Promise.reject(new TimeoutError(ErrorCodes.TIMEOUT, 'no reply'));
      return real(envelope, options);
    };
    const minion = await createMinion({ suite, send: flaky, auth: { authTries: 3 } });
    await minion.auth.authenticate();
    expect(calls).toBe(3);
    expect(minion.states.map((t) => t.to)).toEqual(['signing-in', 'authenticated']);
  });

  it('gives up after auth_retries failed sign-ins with ERR_AUTH_FAILED, keeping the cause', async () => {
    const dead: ClearSender = () => Promise.reject(new TimeoutError(ErrorCodes.TIMEOUT, 'no reply'));
    const minion = await createMinion({ suite, send: dead, auth: { authTries: 2, authRetries: 3 } });
    const error = await rejection(minion.auth.authenticate());
    expect(error.code).toBe('ERR_AUTH_FAILED');
    expect((error.cause as { code?: string }).code).toBe('ERR_TIMEOUT');
    expect(minion.states.filter((t) => t.to === 'failed')).toHaveLength(4);
  });

  describe('verify_master_pubkey_sign', () => {
    it('accepts a master whose key is signed by master_sign.pub and pins it', async () => {
      const master = await createMaster({ suite, auth: { autoAccept: true }, masterSign: true });
      const minion = await createMinion({ suite, send: directSender(master), auth: { verifyMasterPubkeySign: true } });
      await minion.store.writeFile('master_sign.pub', vectorKey('master_sign.pub'));
      await minion.auth.authenticate();
      expect((await minion.store.readFile('minion_master.pub'))?.trim()).toBe(MASTER_PUB.trim());
    });

    it('refuses a master that does not sign its key', async () => {
      const master = await createMaster({ suite, auth: { autoAccept: true } });
      const minion = await createMinion({
        suite,
        send: directSender(master),
        auth: { verifyMasterPubkeySign: true, authRetries: 1 },
      });
      await minion.store.writeFile('master_sign.pub', vectorKey('master_sign.pub'));
      const error = await rejection(minion.auth.authenticate());
      expect((error.cause as { code?: string }).code).toBe('ERR_BAD_SIGNATURE');
      expect(await minion.store.readFile('minion_master.pub')).toBeUndefined();
    });

    it('accepts a changed master key when master_sign vouches for it, and re-pins', async () => {
      const master = await createMaster({ suite, auth: { autoAccept: true }, masterSign: true });
      const minion = await createMinion({
        suite,
        send: directSender(master),
        pinnedMasterPem: vectorKey('minion.pub'), // some other key pinned before
        auth: { verifyMasterPubkeySign: true },
      });
      await minion.store.writeFile('master_sign.pub', vectorKey('master_sign.pub'));
      await minion.auth.authenticate();
      expect((await minion.store.readFile('minion_master.pub'))?.trim()).toBe(MASTER_PUB.trim());
    });

    it('without it, a changed master key is refused with ERR_MASTER_KEY_CHANGED and the pin is kept', async () => {
      const master = await createMaster({ suite, auth: { autoAccept: true }, masterSign: true });
      const minion = await createMinion({
        suite,
        send: directSender(master),
        pinnedMasterPem: vectorKey('minion.pub'),
        auth: { authRetries: 1 },
      });
      const error = await rejection(minion.auth.authenticate());
      expect((error.cause as { code?: string }).code).toBe('ERR_MASTER_KEY_CHANGED');
      expect(await minion.store.readFile('minion_master.pub')).toBe(vectorKey('minion.pub'));
    });
  });

  it('shares credentials per (pki_dir, id, master_uri) through a CredentialsCache (Salt creds_map)', async () => {
    const master = await createMaster({ suite, auth: { autoAccept: true } });
    const wire = counting(directSender(master));
    const cache = new CredentialsCache();
    const first = await createMinion({ suite, send: wire.send, auth: { credentialsCache: cache } });
    const creds = await first.auth.authenticate();
    expect(cache.size).toBe(1);
    const second = await createMinion({ suite, send: wire.send, auth: { credentialsCache: cache } });
    // A different store location would be another identity; the fixture's stores are all "memory".
    expect(second.auth.authenticated).toBe(true);
    expect(second.auth.creds).toBe(creds);
    expect(wire.calls()).toBe(1);
    second.auth.invalidate();
    expect(cache.size).toBe(0);
  });
});

describe('AsyncAuth: the master is busy', () => {
  it('waits the jittered retry_after hint, never counts it against auth_retries, and signs in', async () => {
    const master = await createMaster({ suite, auth: { autoAccept: true } });
    const real = directSender(master);
    let busyLeft = 5;
    // The first sign-ins meet a full queue: a signed "busy, retry after 0.1 s", as AuthServer answers.
    const busyFirst: ClearSender = async (envelope, options) => {
      if (busyLeft-- <= 0) return real(envelope, options);
      const nonce = (envelope.load as { nonce: string }).nonce;
      const load = dumps({ ret: true, retry_after: 0.1, nonce });
      return { enc: 'clear', load, sig: await suite.sign(master.masterKeys.privateKey, load) };
    };
    const minion = await createMinion({ suite, send: busyFirst, auth: { authRetries: 2, acceptanceWaitTime: 10 } });
    const creds = await minion.auth.authenticate();
    expect(creds.aes).toBe(master.shared.key);
    const busy = minion.states.filter((t) => t.to === 'busy');
    expect(busy).toHaveLength(5);
    for (const t of busy) {
      expect(t.error?.code).toBe(ErrorCodes.AUTH_BUSY);
      // 0.1 s × [0.8, 1.2), never the 10 s acceptance_wait_time.
      expect(t.retryIn!).toBeGreaterThanOrEqual(0.08);
      expect(t.retryIn!).toBeLessThan(0.12);
    }
    expect(minion.states.at(-1)?.to).toBe('authenticated');
  });
});
