import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { assertBuilt, killChildren, removeTempDirs, runCli, tempDir } from './helpers.js';

let pems: string[] = [];
let root = '';
let pki = '';
let cache = '';

beforeAll(async () => {
  assertBuilt();
  const suite = createNodeSaltSuite();
  pems = await Promise.all(
    [0, 1, 2].map(async () => suite.exportPublicKey((await suite.generateKeyPair({ bits: 2048 })).publicKey)),
  );
});

beforeEach(async () => {
  root = await tempDir();
  pki = join(root, 'pki');
  cache = join(root, 'cache');
  await mkdir(join(pki, 'minions_pre'), { recursive: true });
  await writeFile(join(pki, 'minions_pre', 'web1'), pems[0]!);
  await writeFile(join(pki, 'minions_pre', 'web2'), pems[1]!);
  await writeFile(join(pki, 'minions_pre', 'db1'), pems[2]!);
});

afterEach(async () => {
  await killChildren();
  await removeTempDirs();
});

/** `brine key` on this test's pki dir (and an empty config dir, so /etc/salt is never read). */
const key = (...args: string[]) => runCli(['key', '-c', root, '--pki-dir', pki, '--cachedir', cache, ...args]);
const ids = async (dir: string) => (existsSync(join(pki, dir)) ? (await readdir(join(pki, dir))).sort() : []);

describe('brine key', () => {
  it('-L lists keys in salt-key sections; --out json uses Salt folder names', async () => {
    const list = await key('-L');
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('Accepted Keys:\nDenied Keys:\nUnaccepted Keys:\ndb1\nweb1\nweb2\nRejected Keys:\n');
    const json = await key('--list-all', '--out', 'json');
    expect(JSON.parse(json.stdout)).toEqual({
      minions: [],
      minions_pre: ['db1', 'web1', 'web2'],
      minions_rejected: [],
      minions_denied: [],
    });
    const un = await key('-l', 'un');
    expect(un.stdout).toBe('Unaccepted Keys:\ndb1\nweb1\nweb2\n');
  });

  it('refuses to change keys without -y when stdin is not a terminal', async () => {
    const r = await key('-a', 'web1');
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('The following keys are going to be accepted:\nUnaccepted Keys:\nweb1\n');
    expect(r.stderr).toMatch(/without confirmation: pass -y\/--yes/);
    expect(await ids('minions')).toEqual([]);
  });

  it('-a <glob> -y accepts the matching pending keys, as salt-key prints it', async () => {
    const r = await key('-a', 'web*', '-y');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'The following keys are going to be accepted:',
        'Unaccepted Keys:',
        'web1',
        'web2',
        'Key for minion web1 accepted.',
        'Key for minion web2 accepted.',
        '',
      ].join('\n'),
    );
    expect(await ids('minions')).toEqual(['web1', 'web2']);
    expect(await ids('minions_pre')).toEqual(['db1']);
    expect(existsSync(join(cache, '.dfn'))).toBe(false); // accepting needs no rotation
    expect((await key('-l', 'acc')).stdout).toBe('Accepted Keys:\nweb1\nweb2\n');
  });

  it('says when a glob matches nothing', async () => {
    const r = await key('-a', 'nobody', '-y');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("The key glob 'nobody' does not match any unaccepted keys.\n");
    const inc = await key('-a', 'nobody', '--include-rejected', '--include-denied', '-y');
    expect(inc.stdout).toBe("The key glob 'nobody' does not match any unaccepted, rejected or denied keys.\n");
  });

  it('-r and -d write the AES rotation dropfile for the master (0400, the master id)', async () => {
    const r = await key('-r', 'db1', '-y', '--id', 'master-one');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Key for minion db1 rejected.');
    expect(await ids('minions_rejected')).toEqual(['db1']);
    const dropfile = join(cache, '.dfn');
    expect(await readFile(dropfile, 'utf8')).toBe('master-one');
    expect((await stat(dropfile)).mode & 0o777).toBe(0o400);

    await key('-A', '-y');
    const d = await key('-d', 'web1,db1', '-y');
    expect(d.code).toBe(0);
    expect(d.stdout).toContain(
      'The following keys are going to be deleted:\nAccepted Keys:\nweb1\nRejected Keys:\ndb1\n',
    );
    expect(d.stdout).toContain('Key for minion db1 deleted.\nKey for minion web1 deleted.\n');
    expect(await ids('minions')).toEqual(['web2']);
    expect(await ids('minions_rejected')).toEqual([]);
    expect(existsSync(dropfile)).toBe(true);
  });

  it('-A --include-rejected takes rejected keys back; -R rejects all pending', async () => {
    await key('-R', '-y');
    expect(await ids('minions_rejected')).toEqual(['db1', 'web1', 'web2']);
    const r = await key('-A', '-y');
    expect(r.stdout).toBe("The key glob '*' does not match any unaccepted keys.\n");
    const back = await key('-A', '--include-rejected', '-y');
    expect(back.stdout).toContain('Key for minion web2 accepted.');
    expect(await ids('minions')).toEqual(['db1', 'web1', 'web2']);
  });

  it('-D deletes every key', async () => {
    const r = await key('-D', '-y');
    expect(r.code).toBe(0);
    expect(await ids('minions_pre')).toEqual([]);
    expect(existsSync(join(cache, '.dfn'))).toBe(true);
  });

  it('-f prints fingerprints (key and json outputs)', async () => {
    const r = await key('-f', 'web1');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Unaccepted Keys:\nweb1: {2}([0-9a-f]{2}:){31}[0-9a-f]{2}\n$/);
    const json = JSON.parse((await key('-F', '--out', 'json')).stdout);
    expect(Object.keys(json.minions_pre).sort()).toEqual(['db1', 'web1', 'web2']);
    expect(json.minions_pre.web1).toBe(r.stdout.split('  ')[1]!.trim());
  });

  it('rejects conflicting actions and unknown flags with exit code 2', async () => {
    expect((await key('-L', '-a', 'x')).code).toBe(2);
    expect((await key('--frobnicate')).code).toBe(2);
    expect((await key('-l', 'sideways')).stderr).toMatch(/--list takes/);
  });
});
