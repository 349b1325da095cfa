// The reviewed list of every command the documentation shows, and how test/docs/commands.test.ts
// checks each one. A documented command missing here fails the test, and so does an entry here that
// no document shows any more.
//
// How a command is checked:
// - `exec`: run to its end with bash; exit 0 (and `expect` in the output). `until`: started, then
//   stopped with SIGTERM once it prints `ready` (daemons, the examples that serve until stopped).
//   Commands run in a fresh copy of the repository (test/docs/shell.ts: `freshCopy`), never in this
//   checkout, with `brine` and `brine-bench` on PATH.
// - `run` (when given) is the command actually run, and says what differs from the documented line;
//   the only substitutions are safe arguments: loopback addresses and free ports instead of
//   10.0.0.5 / 0.0.0.0 / 4505 / 4506, a temporary config dir instead of /etc/brine (`-c` added
//   when the line has none, since the default is /etc/salt), shorter measurement flags for the
//   micro-benchmarks. A `brine …` line without `run` runs as `safeBrine` makes it.
// - `bench`: the argument list is parsed by brine-bench's own parser (`parseCli`) and must be
//   accepted, without running the benchmark (a full run takes many minutes; `brine-bench --quick` is
//   timed by the bench's own tests).
// - `ci`: every `&&` part of the line is a step of .ci/run (which CI runs), so it runs there.
// - `allow`: cannot run in a test, with the reason. `prose`: a command's name in a sentence, not a
//   command line.
export interface Fixture {
  /** The fresh copy. */
  dir: string;
  /** A config dir with `master` and `minion` files (tcp, 127.0.0.1, the ports below, paths inside it). */
  cfg: string;
  ret: number;
  pub: number;
  /** The master example's request port, once it printed it. */
  exampleMasterPort?: number;
}

export type Group = 'fresh' | 'scratch' | 'masters' | 'keys' | 'cluster' | 'examples';

export type Check =
  | {
      how: 'exec' | 'until';
      group: Group;
      run?: (fx: Fixture) => string;
      ready?: RegExp;
      expect?: RegExp;
      timeoutMs?: number;
      reason?: string;
    }
  | { how: 'bench'; argv: string[] }
  | { how: 'ci' }
  | { how: 'allow' | 'prose'; reason: string };

/** `brine …` made safe: the fixture's config dir, loopback, free ports. */
export function safeBrine(command: string, fx: Fixture): string {
  let c = command
    .replaceAll('/etc/brine', fx.cfg)
    .replaceAll('10.0.0.5', '127.0.0.1')
    .replace('--publish-port 4505', `--publish-port ${fx.pub}`)
    .replace('--ret-port 4506', `--ret-port ${fx.ret}`)
    .replace('--master-port 4506', `--master-port ${fx.ret}`);
  if (!/\s-c\s/.test(c)) c += ` -c ${fx.cfg}`;
  return c;
}

const brine = (fx: Fixture, command: string) => safeBrine(command, fx);
const NPM_REGISTRY =
  'installs from the npm registry, where the packages are not published yet; scripts/kit-check.mjs and scripts/consumer-check.mjs (CI) npm-install the same packages from packed tarballs into fresh projects';
const BENCH_IS_LONG = 'a full benchmark run takes many minutes';

const TABLE: Record<string, Check> = {
  // README.md: the two fresh-machine commands (see commands.test.ts for the second one's dry run)
  'bash scripts/bootstrap.sh && pnpm demo': { how: 'exec', group: 'fresh', expect: /test\.ping/, timeoutMs: 600_000 },
  'bash scripts/bootstrap.sh && bash scripts/setup-salt.sh && pnpm test': {
    how: 'exec',
    group: 'fresh',
    run: () =>
      'bash scripts/bootstrap.sh && bash scripts/setup-salt.sh && pnpm run build && pnpm exec vitest list --filesOnly',
    reason:
      "`pnpm test` is `pnpm run build && vitest run`; running the whole suite inside the suite would run it twice (and this test again), so the line runs up to vitest, which lists the suite's files (`vitest list --filesOnly`) with the root config",
    expect: /test\/docs\/commands\.test\.ts/,
    timeoutMs: 600_000,
  },
  'pnpm demo -- --transport tcp': { how: 'exec', group: 'scratch', expect: /over tcp|test\.ping/ },
  'bash scripts/setup-salt.sh && pnpm test:interop': { how: 'ci' },
  'bash .ci/run': { how: 'allow', reason: 'is CI itself (it runs `pnpm test`, which runs this test)' },
  'pnpm run docs:api': { how: 'ci' },
  brine: { how: 'prose', reason: "the binary's name in the package table" },

  // ARCHITECTURE.md
  'pnpm run lint': { how: 'ci' },
  'pnpm run kit:check': { how: 'ci' },
  'npm i @acme/brine-transport-x': { how: 'allow', reason: `a placeholder package name; ${NPM_REGISTRY}` },
  'brine demo --transport @acme/brine-transport-x': {
    how: 'exec',
    group: 'scratch',
    run: () => 'brine demo --transport @acme/brine-transport-memory',
    reason: "the placeholder name replaced by the repository's example third-party transport",
    expect: /test\.ping/,
  },

  // BENCHMARKS.md and packages/bench/README.md
  'pnpm bench': { how: 'bench', argv: [] },
  'pnpm bench -- --quick': { how: 'bench', argv: ['--', '--quick'] },
  'pnpm bench:report': { how: 'bench', argv: ['--update-benchmarks-md'] },
  'node packages/bench/dist/bin.js --only reqrep,auth --transports tcp,ws --json out.json --html out.html': {
    how: 'bench',
    argv: ['--only', 'reqrep,auth', '--transports', 'tcp,ws', '--json', 'out.json', '--html', 'out.html'],
  },
  'brine-bench --quick': { how: 'bench', argv: ['--quick'] },
  'brine-bench --only reqrep,auth --transports tcp,ws --json out.json --html out.html': {
    how: 'bench',
    argv: ['--only', 'reqrep,auth', '--transports', 'tcp,ws', '--json', 'out.json', '--html', 'out.html'],
  },
  'brine-bench --update-benchmarks-md': { how: 'bench', argv: ['--update-benchmarks-md'] },
  'brine-bench swarm --minions 10000 --transports tcp': {
    how: 'allow',
    reason:
      'a scale run: 10,000 minion processes and sockets, minutes of load on the machine (raises open-file limits)',
  },
  'brine-bench swarm --minions 2000': {
    how: 'allow',
    reason: 'a scale run: 2,000 minions on each of three transports, minutes of load on the machine',
  },
  'pnpm run test:scale': {
    how: 'allow',
    reason:
      'the scale suite (vitest.scale.config.ts: 2,000 tcp and 1,000 ws and zeromq minions); minutes of load, run on demand',
  },
  'brine-bench': { how: 'prose', reason: "the bench's command name in a sentence" },
  'brine bench': { how: 'prose', reason: `the CLI's bench subcommand named in a sentence; ${BENCH_IS_LONG}` },
  node: { how: 'prose', reason: 'the name of the node:crypto suite in the bench tables' },
  'node + worker pool': { how: 'prose', reason: 'the name of a bench suite' },
  'brine master': { how: 'prose', reason: 'the command named in a sentence; its command lines are run below' },

  // RELEASING.md
  'pnpm changeset': {
    how: 'allow',
    reason: 'interactive (asks which packages and bump types); commands.test.ts checks the changesets it writes',
  },
  'pnpm run version': {
    how: 'allow',
    reason:
      'a release step that consumes the pending changesets and bumps every version; commands.test.ts checks the config and the pending changesets',
  },
  'pnpm install': { how: 'exec', group: 'scratch' },
  'pnpm run release': { how: 'allow', reason: 'publishes to the npm registry' },
  'pnpm publish': { how: 'allow', reason: 'publishes to the npm registry' },

  // docs/
  'pnpm run docs:errors': {
    how: 'exec',
    group: 'scratch',
    reason: 'rewrites docs/errors.md in the copy; the test also asserts it came out identical',
  },
  'brine run': { how: 'prose', reason: 'the command named in a sentence; its command lines are run below' },

  // examples/README.md
  'pnpm --filter @brine/examples <script>': { how: 'prose', reason: 'a template; the three scripts are run below' },
  'pnpm build': { how: 'exec', group: 'scratch' },
  'pnpm --filter @brine/examples master': {
    how: 'until',
    group: 'examples',
    run: (fx) => `BRINE_RET_PORT=${fx.ret} BRINE_PUBLISH_PORT=${fx.pub} pnpm --filter @brine/examples master`,
    reason: 'free ports instead of 4505/4506 (the example reads BRINE_RET_PORT / BRINE_PUBLISH_PORT)',
    ready: /master listening .*BRINE_MASTER_PORT=\d+/,
  },
  'BRINE_MASTER_PORT=4506 pnpm --filter @brine/examples embedded-minion': {
    how: 'until',
    group: 'examples',
    run: (fx) => `BRINE_MASTER_PORT=${fx.exampleMasterPort} pnpm --filter @brine/examples embedded-minion`,
    reason: 'the port the master example printed',
    ready: /joined the master as/,
  },
  'pnpm --filter @brine/examples browser-minion': {
    how: 'until',
    group: 'examples',
    ready: /open http:\/\/127\.0\.0\.1:\d+\/\S* in a browser/,
    reason: 'the page itself is opened in Chromium by examples/browser-minion/browser-minion.browser.test.ts',
  },

  // packages/cli/README.md
  'pnpm demo': { how: 'exec', group: 'scratch', expect: /test\.ping/ },
  'pnpm demo --transport tcp': { how: 'exec', group: 'scratch', expect: /test\.ping/ },
  'pnpm brine demo -l debug': { how: 'exec', group: 'scratch', expect: /test\.ping/ },
  'brine master -c /etc/brine': {
    how: 'until',
    group: 'masters',
    run: (fx) => brine(fx, 'brine master -c /etc/brine'),
    ready: /Brine master 'master' listening over/,
  },
  'brine master --transport tcp -l info --publish-port 4505 --ret-port 4506': {
    how: 'until',
    group: 'masters',
    run: (fx) => brine(fx, 'brine master --transport tcp -l info --publish-port 4505 --ret-port 4506'),
    ready: /Brine master 'master' listening over tcp/,
  },
  'brine minion -c /etc/brine --id web1': {
    how: 'until',
    group: 'cluster',
    run: (fx) => brine(fx, 'brine minion -c /etc/brine --id web1'),
    ready: /Minion 'web1' is up/,
  },
  'brine minion --id web1 --master 10.0.0.5 --master-port 4506 --transport tcp -l debug': {
    how: 'until',
    group: 'cluster',
    run: (fx) => brine(fx, 'brine minion --id web1 --master 10.0.0.5 --master-port 4506 --transport tcp -l debug'),
    ready: /Minion 'web1' is up/,
  },
  'brine key -L': { how: 'exec', group: 'keys', expect: /Unaccepted Keys:\ndb1\nweb1\nweb2\n/ },
  'brine key -l un --out json': { how: 'exec', group: 'keys', expect: /"minions_pre": \[/ },
  "brine key -a 'web*' -y": { how: 'exec', group: 'keys', expect: /Key for minion web1 accepted\./ },
  'brine key -A -y': { how: 'exec', group: 'keys', expect: /Key for minion db1 accepted\./ },
  'brine key -r db1 -y': { how: 'exec', group: 'keys', expect: /Key for minion db1 rejected\./ },
  "brine key -d 'old-*' -y": { how: 'exec', group: 'keys', expect: /Key for minion old-1 deleted\./ },
  'brine key -f web1': { how: 'exec', group: 'keys', expect: /web1: +\S+/ },
  'brine key -p web1': { how: 'exec', group: 'keys', expect: /BEGIN PUBLIC KEY/ },
  "brine run '*' test.ping": { how: 'exec', group: 'cluster', expect: /web2:\n +True/ },
  "brine run -L 'web1,web2' test.echo 'hello world' --out json": {
    how: 'exec',
    group: 'cluster',
    expect: /"web1": "hello world"/,
  },
  "brine run -E 'web[0-9]+' test.arg 1 two yes '[1, 2]' key=value -t 10": {
    how: 'exec',
    group: 'cluster',
    expect: /key:\s*\n?\s*value/,
  },
  'brine minion': { how: 'prose', reason: 'the command named in the table; its command lines are run below' },
  'brine key': { how: 'prose', reason: 'the command named in the table; its command lines are run below' },
  'brine demo': { how: 'prose', reason: 'the command named in the table; `pnpm brine demo -l debug` runs it' },
  'pnpm install && pnpm run build': { how: 'exec', group: 'scratch' },
  'pnpm brine <command>': {
    how: 'exec',
    group: 'scratch',
    run: () => 'pnpm brine --version',
    reason: 'a template: <command> is --version',
    expect: /brine \d+\.\d+\.\d+/,
  },
  'node packages/cli/dist/bin.js <command>': {
    how: 'exec',
    group: 'scratch',
    run: () => 'node packages/cli/dist/bin.js help run',
    reason: 'a template: <command> is `help run`',
    expect: /Usage: brine run/,
  },
  'npm install -g @brine/cli': { how: 'allow', reason: `a global install (and ${NPM_REGISTRY})` },

  // the other package READMEs
  'npm i -D @brine/compliance vitest @brine/core @brine/crypto': { how: 'allow', reason: NPM_REGISTRY },
  'npm install @brine/core @brine/crypto @brine/transport-tcp': { how: 'allow', reason: NPM_REGISTRY },
  'npm i prom-client': {
    how: 'allow',
    reason:
      'installs from the npm registry; in the workspace prom-client is installed (@brine/cli depends on it) and the metrics tests use it',
  },
  'node packages/crypto/bench/handshake-ops.mjs': {
    how: 'exec',
    group: 'scratch',
    run: () => 'node packages/crypto/bench/handshake-ops.mjs --ms 20',
    reason: 'shorter measurement windows (--ms 20 instead of 1000: the full run takes about a minute)',
    expect: /salt\/node/,
    timeoutMs: 120_000,
  },
  'npx tsc -b packages/crypto': { how: 'exec', group: 'scratch' },
  'pnpm build && pnpm test:browser': { how: 'ci' },
  'npx tsc -b packages/transport-zmq && node packages/transport-zmq/bench/reqrep.mjs': {
    how: 'exec',
    group: 'scratch',
    run: () => 'npx tsc -b packages/transport-zmq && node packages/transport-zmq/bench/reqrep.mjs --runs 1',
    reason: 'one run instead of three',
    timeoutMs: 120_000,
  },
};

/** The table, each `brine …` line that runs made safe by `safeBrine` unless its entry says otherwise. */
export const COMMANDS: Readonly<Record<string, Check>> = Object.fromEntries(
  Object.entries(TABLE).map(([command, check]) =>
    command.startsWith('brine ') && (check.how === 'exec' || check.how === 'until') && !check.run
      ? [command, { ...check, run: (fx: Fixture) => safeBrine(command, fx) }]
      : [command, check],
  ),
);
