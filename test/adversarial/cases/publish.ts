// Classes 3 (forged publishes) and 4 (replays) of issue 10, against a real `brine minion` whose
// publish channel the attacker owns (it points at the attacker's publisher: a position on the path)
// and whose request channel runs through a recording proxy. The attacker holds the shared AES key
// as any accepted minion does (an in-test library minion, "mallory").
import type { AttackOutcome } from '../harness/run-case.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumps } from '@brine/contracts';
import { Crypticle } from '@brine/core';
import { subscribeMasterEvents } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { startBrineMinion } from '../../interop/harness/brine-minion.js';
import { readText } from '../../interop/harness/layout.js';
import { waitFor } from '../../interop/harness/wait.js';
import { minionUp, startMinion, type MinionProcess } from '../harness/daemons.js';
import type { Env } from '../harness/env.js';
import { fakePublisher } from '../attackers/clients.js';
import { recordingProxy, replayStream } from '../attackers/proxy.js';
import { ALL, type AdversarialCase } from './types.js';

const suite = createNodeSaltSuite();
let jidSeq = 0;
const newJid = (): string => `2099${String(Date.now()).slice(-10)}${String(++jidSeq).padStart(6, '0')}`;

async function waitRuns(m: MinionProcess, jid: string, n: number, timeout = 15_000): Promise<void> {
  await waitFor(() => m.runs((_f, j) => j === jid) >= n, {
    timeout,
    interval: 50,
    what: `job ${jid} to run on ${m.id}`,
  });
}

/** Sets up mallory (for the AES key), the attacker's publisher, the proxy and the victim minion. */
async function scene(env: Env) {
  const { transport, master } = env;
  const mallory = startBrineMinion({
    transport,
    id: `mallory-${transport}`,
    masterPort: master.retPort,
    publishPort: master.publishPort,
  });
  await master.accept(mallory.id);
  await mallory.started;
  const aes = mallory.minion.auth!.creds!.aes;
  const crypticle = Crypticle.fromKey(suite, aes);
  const masterKey = suite.importPrivateKey(readFileSync(join(master.pkiDir, 'master.pem'), 'utf8'));
  const otherKey = (await suite.generateKeyPair({ bits: 2048 })).privateKey;
  const pub = await fakePublisher(transport);
  const proxy = await recordingProxy(master.retPort);
  let victim = startMinion({ id: `victim-${transport}`, transport, masterPort: proxy.port, publishPort: pub.port });
  await master.accept(victim.id);
  await minionUp(victim);
  await waitFor(() => pub.server.subscriberCount >= 1, {
    timeout: 15_000,
    interval: 50,
    what: 'the victim to subscribe',
  });
  const sigAlgo = suite.sigAlgos[0]!;
  let serial = 1000;
  const publishBytes = async (jid: string, sign: 'none' | 'random' | 'other' | 'master', serialOverride?: number) => {
    const load = {
      fun: 'test.echo',
      arg: [`adv-${jid}`],
      tgt: victim.id,
      tgt_type: 'glob',
      jid,
      ret: '',
      user: 'root',
      serial: serialOverride ?? ++serial,
    };
    const blob = crypticle.dumps(load);
    const payload: Record<string, unknown> = { enc: 'aes', load: blob };
    if (sign !== 'none') {
      payload.sig_algo = sigAlgo;
      payload.sig =
        sign === 'random'
          ? suite.randomBytes(256)
          : await suite.sign(sign === 'master' ? masterKey : otherKey, blob, { algo: sigAlgo });
    }
    return dumps(payload);
  };
  return {
    transport,
    pub,
    proxy,
    publishBytes,
    get victim() {
      return victim;
    },
    async restartVictim() {
      const mark = readText(victim.layout.logFile).length;
      victim = await victim.restart();
      await minionUp(victim, mark);
      await waitFor(() => pub.server.subscriberCount >= 1, {
        timeout: 15_000,
        interval: 50,
        what: 'the victim to subscribe again',
      });
    },
    async close() {
      await victim.stop();
      await proxy.close();
      await pub.server.close();
      await mallory.stop();
      await master.key(['-d', victim.id, '-y']);
      await master.key(['-d', mallory.id, '-y']);
    },
  };
}

export const forgedAndReplayedPublish: AdversarialCase = {
  name: 'forged and replayed publishes',
  what:
    "on the victim minion's publish channel: an unsigned publish with serial 2^52, a random-signed one and one " +
    'signed by another key — none runs and none moves the serial (a master-signed publish right after runs); that ' +
    'publish replayed — not rerun, neither in the same process nor after the minion restarts (jid cache on disk).',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const s = await scene(env);
    const failures: string[] = [];
    try {
      const forged = [newJid(), newJid(), newJid()];
      await s.pub.server.publish(await s.publishBytes(forged[0]!, 'none', 2 ** 52));
      await s.pub.server.publish(await s.publishBytes(forged[1]!, 'random'));
      await s.pub.server.publish(await s.publishBytes(forged[2]!, 'other'));
      // Publishes are handled in order: once the legitimate one ran, the forged ones were seen.
      const legit = newJid();
      const legitBytes = await s.publishBytes(legit, 'master');
      await s.pub.server.publish(legitBytes);
      await waitRuns(s.victim, legit, 1);
      const forgedRuns = forged.reduce((n, j) => n + s.victim.runs((_f, x) => x === j), 0);
      if (forgedRuns > 0) failures.push(`${forgedRuns} forged publishes ran`);
      await s.pub.server.publish(legitBytes);
      const control2 = newJid();
      await s.pub.server.publish(await s.publishBytes(control2, 'master'));
      await waitRuns(s.victim, control2, 1);
      const sameProcess = s.victim.runs((_f, j) => j === legit);
      await s.restartVictim();
      await s.pub.server.publish(legitBytes);
      const control3 = newJid();
      await s.pub.server.publish(await s.publishBytes(control3, 'master'));
      await waitRuns(s.victim, control3, 1);
      const afterRestart = s.victim.runs((_f, j) => j === legit);
      if (sameProcess !== 1) failures.push(`the replayed publish ran ${sameProcess}× in one process`);
      if (afterRestart !== 1) failures.push(`the replayed publish ran ${afterRestart}× across a restart`);
      return {
        counts: {
          forgedSent: 3,
          forgedRun: forgedRuns,
          legitRun: 1,
          replayRunsSameProcess: sameProcess - 1,
          replayRunsAfterRestart: afterRestart - 1,
        },
        failures,
      };
    } finally {
      await s.close();
    }
  },
};

export const replayedRequest: AdversarialCase = {
  name: 'replayed request refused',
  what:
    "the victim minion's whole request stream (its `_auth`, start event and the `_return` of a known jid, captured " +
    "by a proxy) is replayed on a fresh connection: the return's effect (the master's `salt/job/<jid>/ret/<id>` " +
    'event, followed on its event bus, and its `_return` count in /metrics) happens exactly once, and the master ' +
    'counts ERR_REPLAY refusals for the replay (so the replayed requests did reach the guard).',
  transports: ALL,
  async attack(env): Promise<AttackOutcome> {
    const { master } = env;
    const s = await scene(env);
    const failures: string[] = [];
    const retTags: string[] = [];
    const jid = newJid();
    const retTag = `salt/job/${jid}/ret/${s.victim.id}`;
    const stopEvents = subscribeMasterEvents(String(master.config.sock_dir), (e) => {
      if (e.tag === retTag) retTags.push(e.tag);
    });
    try {
      const replays = () => master.metric('brine_master_refusals_total', { code: 'ERR_REPLAY' });
      const returnsOk = () => master.metric('brine_master_requests_total', { cmd: '_return', result: 'ok' });
      // One job so the stream holds a _return with a known jid; its effect is seen once, live.
      await s.pub.server.publish(await s.publishBytes(jid, 'master'));
      await waitRuns(s.victim, jid, 1);
      await waitFor(() => retTags.length >= 1, { timeout: 15_000, interval: 20, what: `event ${retTag}` });
      const replays0 = await replays();
      const returns0 = await returnsOk();
      // Every connection the victim made (a pending sign-in first, then the accepted session), in order.
      const streams = [...s.proxy.streams];
      const capturedKB = Math.round(streams.flat().reduce((n, c) => n + c.data.length, 0) / 1024);
      let repliesB = 0;
      for (const stream of streams) repliesB += (await replayStream(master.retPort, stream, 1500)).length;
      // Under load the last refusal may be counted a little after the replay's replies settled.
      await waitFor(async () => (await replays()) > replays0, {
        timeout: 5000,
        interval: 100,
        what: 'ERR_REPLAY',
      }).catch(() => undefined);
      const refusedAsReplay = (await replays()) - replays0;
      const returnsAccepted = (await returnsOk()) - returns0;
      if (refusedAsReplay < 1)
        failures.push('no ERR_REPLAY refusal counted: the replayed requests never reached the replay guard');
      if (retTags.length !== 1) failures.push(`the return's event ${retTag} was seen ${retTags.length}× (want 1)`);
      if (returnsAccepted !== 0) failures.push(`${returnsAccepted} replayed _return(s) accepted`);
      return {
        counts: {
          capturedKB,
          connections: streams.length,
          repliesB,
          refusedAsReplay,
          returnsAccepted,
          retEvents: retTags.length,
        },
        failures,
      };
    } finally {
      stopEvents();
      await s.close();
    }
  },
};
