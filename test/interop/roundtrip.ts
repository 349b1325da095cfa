// A full round trip with real Salt on both ends, shared by the self-test and the facts test.
import { existsSync } from 'node:fs';
import type { ExpectStatic } from 'vitest';
import {
  groupMembers,
  logProblems,
  startSaltMaster,
  startSaltMinion,
  type SaltConfig,
  type SaltMinion,
  type SaltTransport,
  type SaltVenv,
} from './harness/index.js';

/** Real master + real minion: pending key, salt-key accept, test.ping, test.echo, stop, nothing left. */
export async function roundTrip(
  expect: ExpectStatic,
  venv: SaltVenv,
  transport: SaltTransport,
  id: string,
  masterConfig?: SaltConfig,
): Promise<void> {
  const t0 = Date.now();
  const phases: string[] = [];
  const lap = (name: string): void => {
    phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  };
  const master = await startSaltMaster({ venv, transport, extraConfig: masterConfig });
  lap('master up');
  let minion: SaltMinion | undefined;
  try {
    expect(master.retPort).not.toBe(master.publishPort);
    minion = await startSaltMinion({
      venv,
      transport,
      masterPort: master.retPort,
      publishPort: master.publishPort,
      id,
    });
    await master.waitForPendingKey(id);
    lap('key pending');
    expect((await master.listKeys()).minions).not.toContain(id);
    await master.acceptKey(id);
    lap('accepted');
    await minion.waitUntilReady();
    lap('minion ready');

    expect(await master.salt(id, 'test.ping')).toEqual({ [id]: true });
    lap('test.ping');
    expect(await master.salt(id, 'test.echo', ['héllo'])).toEqual({ [id]: 'héllo' });
    lap('test.echo');

    expect(logProblems(master.readLog())).toEqual([]);
    expect(logProblems(minion.readLog())).toEqual([]);
  } finally {
    await Promise.all([minion?.stop(), master.stop()]);
    lap('stopped');
    console.log(
      `[${venv.label} ${transport}${masterConfig ? ` ${JSON.stringify(masterConfig)}` : ''}] ${phases.join(', ')}`,
    );
  }
  expect(groupMembers(master.pgid)).toEqual([]);
  expect(groupMembers(minion.pgid)).toEqual([]);
  if (process.env.BRINE_INTEROP_KEEP !== '1') {
    expect(existsSync(master.rootDir)).toBe(false);
    expect(existsSync(minion.rootDir)).toBe(false);
  }
}
