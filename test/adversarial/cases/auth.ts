// Classes 1 (padded keys), 2 (unsigned replies), 6 (key management) and 9 (small keys) of issue 10.
import type { AttackOutcome } from '../harness/run-case.js';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startMinion } from '../harness/daemons.js';
import { SUITE_BOUNDS } from '../harness/env.js';
import { MiB } from '../harness/stats.js';
import { authMessage, client, fakeServer, rsaPublicPem, tryRequest } from '../attackers/clients.js';
import { trickle } from '../attackers/floods.js';
import { ALL, type AdversarialCase } from './types.js';

const PEM_2048 = rsaPublicPem(2048);

function pendingFiles(pkiDir: string): Array<{ name: string; size: number }> {
  const dir = join(pkiDir, 'minions_pre');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((name) => ({ name, size: statSync(join(dir, name)).size }));
}

export const paddedPub: AdversarialCase = {
  name: 'padded pub in _auth',
  what:
    '40 `_auth` requests with new ids whose `pub` is a valid PEM followed by 8 KiB of junk (fits the 16 KiB ' +
    'pre-auth limit; refused by the 4 KiB key bound) and 10 more declaring PEM + 20 MB (refused at the frame ' +
    'header): no key stored, nothing pending.',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const before = pendingFiles(master.pkiDir).length;
    const c = await client(transport, master.retPort);
    const replies: string[] = [];
    for (let i = 0; i < 40; i++) {
      const reply = await tryRequest(c, authMessage(`padded-${i}`, PEM_2048 + 'J'.repeat(8 * 1024)));
      replies.push(JSON.stringify(reply).slice(0, 40));
    }
    await c.close();
    const big = await trickle(transport, master.retPort, {
      n: 10,
      declared: 20 * MiB + PEM_2048.length,
      head: 2 * MiB,
      holdMs: 2000,
    });
    const after = pendingFiles(master.pkiDir);
    const failures: string[] = [];
    const padded = after.filter((f) => f.name.startsWith('padded-'));
    if (padded.length > 0) failures.push(`${padded.length} padded keys stored in pending`);
    const largest = Math.max(0, ...after.map((f) => f.size));
    if (largest > 4096) failures.push(`a pending key file of ${largest} bytes`);
    return {
      counts: {
        padded8KiB: 40,
        padded20MB: big.connections,
        bigDropped: big.dropped,
        pendingBefore: before,
        pendingAfter: after.length,
        largestPendingB: largest,
        reply: replies[0] ?? '',
      },
      failures,
    };
  },
};

export const pendingFlood: AdversarialCase = {
  name: 'pending-key flood; brine key survives a bad key file',
  what:
    '`_auth` with a fresh id as fast as one client goes for 4 s: pending stays at max_pending_keys (20), paced by ' +
    'pending_key_rate (5/s); then a 2 MiB junk file planted in minions_pre: `brine key -L`, `-F` and `-A -y` ' +
    'report it and carry on with the other keys.',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const c = await client(transport, master.retPort);
    const t0 = Date.now();
    let sent = 0;
    while (Date.now() - t0 < 4000) {
      await tryRequest(c, authMessage(`flood-${transport}-${sent}`, PEM_2048));
      sent++;
    }
    await c.close();
    const flooded = pendingFiles(master.pkiDir).filter((f) => f.name.startsWith('flood-')).length;
    const failures: string[] = [];
    if (flooded > SUITE_BOUNDS.max_pending_keys)
      failures.push(`${flooded} pending keys (cap ${SUITE_BOUNDS.max_pending_keys})`);
    if (flooded === 0) failures.push('no flood key reached pending (the flood proved nothing)');
    writeFileSync(join(master.pkiDir, 'minions_pre', 'planted-bad'), 'X'.repeat(2 * MiB));
    const list = await master.key(['-L', '--out', 'json']);
    const listed = list.code === 0 && (JSON.parse(list.stdout) as { minions_pre?: string[] }).minions_pre?.length;
    if (!listed) failures.push(`brine key -L: exit ${list.code} ${list.stderr.trim().slice(0, 200)}`);
    const finger = await master.key(['-F']);
    if (finger.code !== 0 && !finger.stdout.includes('flood-'))
      failures.push(`brine key -F aborted: ${finger.stderr.trim().slice(0, 200)}`);
    const acceptAll = await master.key(['-A', '-y']);
    const acceptedN = (acceptAll.stdout.match(/Key for minion flood-\S+ accepted\./g) ?? []).length;
    if (acceptedN !== flooded)
      failures.push(
        `brine key -A accepted ${acceptedN} of ${flooded} (exit ${acceptAll.code}: ${acceptAll.stderr.trim().slice(0, 200)})`,
      );
    // Leave the master as it was: the flood ids would otherwise be targets of every later '*' job.
    await master.key(['-d', 'flood-*', '-y']);
    await master.key(['-d', 'planted-bad', '-y', '--include-denied']);
    return {
      counts: {
        authSent: sent,
        pendingHeld: flooded,
        keyL: list.code,
        keyF: finger.code,
        keyA: acceptAll.code,
        accepted: acceptedN,
        badReported: /planted-bad/.test(acceptAll.stderr + acceptAll.stdout + list.stderr) ? 'yes' : 'no',
      },
      failures,
    };
  },
};

export const smallKey: AdversarialCase = {
  name: 'small-key (RSA-1024) minion refused',
  what:
    'an `_auth` presenting an RSA-1024 key (a Brine minion refuses to make one itself, so the key is sent as a ' +
    'Salt minion with an old key would): refused (min_key_size 2048), never stored in pending.',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport, master } = env;
    const id = `small-${transport}`;
    const c = await client(transport, master.retPort);
    const reply = await tryRequest(c, authMessage(id, rsaPublicPem(1024)));
    await c.close();
    const failures: string[] = [];
    const pending = pendingFiles(master.pkiDir).some((f) => f.name === id);
    if (pending) failures.push('the 1024-bit key reached pending');
    const logged = /below min_key_size/.test(master.output());
    if (!logged) failures.push('no min_key_size refusal logged');
    return {
      counts: {
        pending: pending ? 'yes' : 'no',
        refusalLogged: logged ? 'yes' : 'no',
        reply: JSON.stringify(reply).slice(0, 40),
      },
      failures,
    };
  },
};

export const badEncAlgo: AdversarialCase = {
  name: "unsigned 'bad enc algo' from a fake master",
  what:
    "a fake master answers every `_auth` of a real `brine minion` process with the unsigned {ret: 'bad enc algo'} " +
    "(then 'bad sig algo'): the minion logs it, retries with back-off and does not exit.",
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { transport } = env;
    let auths = 0;
    const fake = await fakeServer(transport, (msg) => {
      const load = (msg as { load?: { cmd?: string } }).load;
      if (load?.cmd !== '_auth') return { enc: 'clear', load: {} };
      auths++;
      return { enc: 'clear', load: { ret: auths % 2 === 1 ? 'bad enc algo' : 'bad sig algo' } };
    });
    const victim = startMinion({
      id: `victim-algo-${transport}`,
      transport,
      masterPort: fake.port,
      publishPort: fake.port,
    });
    const failures: string[] = [];
    try {
      const t0 = Date.now();
      while (auths < 3 && victim.alive() && Date.now() - t0 < 20_000) await delay(100);
      if (auths < 3) failures.push(`only ${auths} _auth attempts reached the fake master`);
      if (!victim.alive()) failures.push(`the minion exited (${String(victim.exitCode())})`);
      const crashes = victim.crashLines();
      if (crashes.length > 0) failures.push(`minion logged: ${crashes[0]}`);
    } finally {
      await victim.stop();
      await fake.server.close();
    }
    return {
      counts: { authAttempts: auths, minionAlive: failures.some((f) => f.includes('exited')) ? 'no' : 'yes' },
      failures,
    };
  },
};
