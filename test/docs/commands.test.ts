// Every command the documentation shows (README.md, the other root documents, packages/*/README.md,
// docs/*.md, examples/) is run here, or checked as test/docs/registry.ts says, so the documentation
// cannot rot. The commands run in a fresh copy of the repository (tracked files only), set up by the
// README's own fresh-machine line.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { docCommands, ROOT } from './extract.js';
import { COMMANDS, type Check, type Fixture, type Group } from './registry.js';
import { freePort, freshCopy, runToEnd, shell, stopAll, type Shell } from './shell.js';

const documented = docCommands();
const byGroup = (group: Group) =>
  Object.entries(COMMANDS).filter((e): e is [string, Check & { how: 'exec' | 'until' }] => {
    const check = e[1];
    return (check.how === 'exec' || check.how === 'until') && check.group === group;
  });

describe('the documented commands', () => {
  it('each one is in test/docs/registry.ts, and each entry there is still documented', () => {
    const unlisted = documented.filter((c) => !(c.command in COMMANDS)).map((c) => `${c.command}   (${c.where})`);
    expect(unlisted, 'documented but not in test/docs/registry.ts: add them (run, or allow with a reason)').toEqual([]);
    const shown = new Set(documented.map((c) => c.command));
    expect(
      Object.keys(COMMANDS).filter((c) => !shown.has(c)),
      'in the registry but no longer documented',
    ).toEqual([]);
  });

  it('a `ci` command is made of steps .ci/run runs', () => {
    // A step is a line of its own, or one command of a `together "name: a && b"` job.
    const ci = readFileSync(join(ROOT, '.ci/run'), 'utf8')
      .split('\n')
      .map((l) =>
        l
          .trim()
          .replace(/\s*\\$/, '')
          .replace(/^"([\w-]+: )?(.*)"$/, '$2'),
      )
      .flatMap((l) => l.split('&&'))
      .map((l) => l.trim().replace(/^(\w+=\S+ )+/, ''));
    const normal = (part: string) => part.trim().replace(/^pnpm (?!run |exec |install)/, 'pnpm run ');
    const missing = Object.entries(COMMANDS)
      .filter(([, check]) => check.how === 'ci')
      .flatMap(([command]) => command.split('&&').map(normal))
      .filter((part) => !ci.some((line) => normal(line) === part));
    expect(missing).toEqual([]);
  });

  it('a `bench` command line is accepted by brine-bench, and the pnpm scripts call it as documented', async () => {
    const { parseCli } = (await import(join(ROOT, 'packages/bench/dist/cli.js'))) as {
      parseCli(argv: string[]): unknown;
    };
    const scripts = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts as Record<string, string>;
    expect(scripts.bench).toBe('pnpm run build && node packages/bench/dist/bin.js');
    expect(scripts['bench:report']).toBe('pnpm run build && node packages/bench/dist/bin.js --update-benchmarks-md');
    for (const [command, check] of Object.entries(COMMANDS)) {
      if (check.how !== 'bench') continue;
      expect(() => parseCli(check.argv), command).not.toThrow();
      expect(parseCli(check.argv), command).not.toBe('help');
    }
    expect(() => parseCli(['--no-such-flag'])).toThrow();
  });

  it("the release commands' configuration: .changeset/config.json and the pending changesets name real packages", () => {
    const names = new Map<string, boolean>(
      ['packages', 'examples'].flatMap((top) =>
        readdirSync(join(ROOT, top))
          .map((d) => join(ROOT, top, d, 'package.json'))
          .filter((f) => existsSync(f))
          .map((f) => JSON.parse(readFileSync(f, 'utf8')) as { name: string; private?: boolean })
          .map((m): [string, boolean] => [m.name, m.private !== true]),
      ),
    );
    const config = JSON.parse(readFileSync(join(ROOT, '.changeset/config.json'), 'utf8'));
    expect(config.fixed).toEqual([['@brine/*']]);
    for (const name of config.ignore) expect(names.has(name), name).toBe(true);
    const pending = readdirSync(join(ROOT, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');
    expect(pending.length).toBeGreaterThan(0);
    for (const file of pending) {
      const front = /^---\n([\s\S]*?)\n---\n\s*\S/.exec(readFileSync(join(ROOT, '.changeset', file), 'utf8'));
      expect(front, `${file}: front matter, then the changelog text`).not.toBeNull();
      for (const entry of front![1]!.split('\n')) {
        const [, name, bump] = /^'([^']+)': (patch|minor|major)$/.exec(entry) ?? [];
        expect(name && names.get(name), `${file}: ${entry}`).toBe(true);
        expect(bump).toBeDefined();
      }
    }
  });
});

describe('run in a fresh copy of the repository', () => {
  let copy: ReturnType<typeof freshCopy>;
  const fx = {} as Fixture;
  const env = () => copy.env;
  const line = (command: string, check: Check & { how: 'exec' | 'until' }) => check.run?.(fx) ?? command;

  beforeAll(async () => {
    copy = freshCopy();
    fx.dir = copy.dir;
    [fx.ret, fx.pub] = [await freePort(), await freePort()];
    fx.cfg = config(join(copy.dir, '.tmp-etc-brine'), fx.ret, fx.pub);
  });
  afterEach(stopAll);
  afterAll(() => copy?.remove());

  async function exec(command: string, check: Check & { how: 'exec' | 'until' }, cwd = copy.dir) {
    const result = await runToEnd(line(command, check), { cwd, env: env(), timeoutMs: check.timeoutMs ?? 240_000 });
    expect(result.code, `${line(command, check)}\n${result.output}`).toBe(0);
    if (check.expect) expect(result.output).toMatch(check.expect);
    return result.output;
  }

  async function until(command: string, check: Check & { how: 'exec' | 'until' }): Promise<Shell> {
    const child = shell(line(command, check), { cwd: copy.dir, env: env() });
    await child.waitFor(check.ready!, check.timeoutMs ?? 120_000);
    return child;
  }

  for (const [command, check] of byGroup('fresh')) {
    it(`README: ${command}`, { timeout: 900_000 }, async () => {
      if (command.endsWith('pnpm test')) {
        const scripts = JSON.parse(readFileSync(join(copy.dir, 'package.json'), 'utf8')).scripts;
        expect(scripts.test, 'the dry run replaces `vitest run` by `vitest list`').toBe('pnpm run build && vitest run');
      }
      const output = await exec(command, check);
      if (command.endsWith('pnpm test')) expect(output).toMatch(/packages\/core\/test\/\S+\.test\.ts/);
    });
  }

  for (const [command, check] of byGroup('scratch')) {
    it(command, { timeout: 300_000 }, async () => {
      const before = command === 'pnpm run docs:errors' ? readFileSync(join(ROOT, 'docs/errors.md'), 'utf8') : '';
      await exec(command, check);
      if (before) expect(readFileSync(join(copy.dir, 'docs/errors.md'), 'utf8')).toBe(before);
    });
  }

  for (const [command, check] of byGroup('masters')) {
    it(`${command}: starts, then stops on SIGTERM with exit 0`, { timeout: 180_000 }, async () => {
      const master = await until(command, check);
      expect(await master.stop()).toBe(0);
    });
  }

  for (const [command, check] of byGroup('keys')) {
    it(`${command} (pending web1, web2, db1; accepted old-1)`, { timeout: 120_000 }, async () => {
      const dir = join(copy.dir, `.tmp-keys-${Math.random().toString(36).slice(2)}`);
      const saved = fx.cfg;
      fx.cfg = config(dir, fx.ret, fx.pub);
      seedKeys(join(dir, 'pki/master'), { minions_pre: ['web1', 'web2', 'db1'], minions: ['old-1'] });
      try {
        await exec(command, check);
      } finally {
        fx.cfg = saved;
      }
    });
  }

  it('the cluster commands: brine minion, then brine run against web1 and web2', { timeout: 300_000 }, async () => {
    const master = shell(`brine master -c ${fx.cfg}`, { cwd: copy.dir, env: env() });
    await master.waitFor(/listening over tcp/, 60_000);
    const cluster = byGroup('cluster');
    for (const [command, check] of cluster.filter(([, c]) => c.how === 'until')) {
      const minion = await until(command, check);
      expect(await minion.stop(), command).toBe(0);
    }
    const web1 = shell(`brine minion -c ${fx.cfg} --id web1`, { cwd: copy.dir, env: env() });
    const web2 = shell(`brine minion -c ${fx.cfg} --id web2 --pki-dir pki/web2 --cachedir cache/web2`, {
      cwd: copy.dir,
      env: env(),
    });
    await web1.waitFor(/Minion 'web1' is up/, 60_000);
    await web2.waitFor(/Minion 'web2' is up/, 60_000);
    for (const [command, check] of cluster.filter(([, c]) => c.how === 'exec')) await exec(command, check);
    for (const daemon of [web1, web2, master]) expect(await daemon.stop()).toBe(0);
  });

  it(
    'the examples: the master, the embedded minion joining it, the browser-minion server',
    { timeout: 300_000 },
    async () => {
      const examples = byGroup('examples');
      expect(examples.map(([c]) => c.split(' ').at(-1))).toEqual(['master', 'embedded-minion', 'browser-minion']);
      const [[masterCommand, masterCheck], [minionCommand, minionCheck], [browserCommand, browserCheck]] = examples as [
        (typeof examples)[number],
        (typeof examples)[number],
        (typeof examples)[number],
      ];
      const master = await until(masterCommand, masterCheck);
      fx.exampleMasterPort = Number(/BRINE_MASTER_PORT=(\d+)/.exec(master.output)![1]);
      expect(fx.exampleMasterPort).toBe(fx.ret);
      const minion = await until(minionCommand, minionCheck);
      await master.waitFor(/app\.stats|test\.ping/, 60_000);
      await minion.stop();
      await master.stop();
      const browser = await until(browserCommand, browserCheck);
      await browser.stop();
    },
  );
});

/** A config dir for `brine master` / `brine minion`: tcp on loopback, every path inside `dir`. */
function config(dir: string, ret: number, pub: number): string {
  mkdirSync(dir, { recursive: true });
  const common = [`root_dir: ${dir}`, 'transport: tcp', 'log_level: info'];
  writeFileSync(
    join(dir, 'master'),
    [
      ...common,
      'interface: 127.0.0.1',
      `publish_port: ${pub}`,
      `ret_port: ${ret}`,
      'auto_accept: true',
      'pki_dir: pki/master',
      'cachedir: cache/master',
      'sock_dir: run/master',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'minion'),
    [...common, 'master: 127.0.0.1', `master_port: ${ret}`, 'acceptance_wait_time: 0.2', 'recon_default: 100'].join(
      '\n',
    ),
  );
  return dir;
}

/** Minion public keys in a master's pki dir, by state directory. */
function seedKeys(pki: string, states: Record<string, string[]>): void {
  for (const [state, ids] of Object.entries(states)) {
    mkdirSync(join(pki, state), { recursive: true });
    for (const id of ids) {
      const { publicKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        publicKeyEncoding: { type: 'spki', format: 'pem' },
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      });
      writeFileSync(join(pki, state, id), publicKey);
    }
  }
}
