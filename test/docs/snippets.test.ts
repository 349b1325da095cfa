// The TypeScript blocks of the documentation compile, strict, against the built packages (as a user's
// project imports them: by package name, through each package's `exports`), and the ones that are
// whole programs run to their end.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { docSnippets, ROOT } from './extract.js';
import { runToEnd } from './shell.js';

interface SnippetCheck {
  /** Declarations for the names a fragment uses without defining them (the snippet shows a part of a program). */
  prelude?: string;
  /** Runs as a program (to exit 0 within a minute), or why it cannot. */
  run: true | { reason: string };
}

const FRAGMENT = { reason: 'a fragment (it uses names declared in the prelude)' };

/** Every TypeScript block of the documentation, by `file#n`; a new block must be added here. */
const SNIPPETS: Readonly<Record<string, SnippetCheck>> = {
  'README.md#1': { run: true },
  'ARCHITECTURE.md#1': {
    prelude: `import type { Master, Minion } from '@brine/core';
declare const master: Master;
declare const minion: Minion;`,
    run: FRAGMENT,
  },
  'docs/metrics.md#1': {
    prelude: `import type { Master } from '@brine/core';
declare const master: Master;`,
    run: {
      reason:
        'a fragment: an existing master, and the fixed port 9216 (packages/core/test/metrics.test.ts covers the server)',
    },
  },
  'packages/bench/README.md#1': { run: true },
  'packages/compliance/README.md#1': {
    run: { reason: 'a vitest test file (scripts/kit-check.mjs runs the kit from packed tarballs in CI)' },
  },
  'packages/core/README.md#1': { run: true },
  'packages/crypto/README.md#1': { run: true },
  'packages/transport-tcp/README.md#1': { run: true },
  'packages/transport-ws/README.md#1': {
    prelude: `declare const reply: Record<string, unknown>;
declare function verifyPresence(message: unknown): Promise<string | undefined>;
declare const serializedPayload: Uint8Array;
declare function signedPresenceMessage(): Promise<Uint8Array>;
declare function handle(payload: Uint8Array): void;`,
    run: { reason: 'a fragment: TLS files, host `salt` and the declared helpers stand for a real deployment' },
  },
  'packages/transport-ws/README.md#2': {
    run: { reason: 'runs in a browser (`location`); examples/browser-minion is the browser test' },
  },
  'packages/transport-zmq/README.md#1': {
    prelude: `declare const payloadBytes: Uint8Array;
declare function handle(payload: Uint8Array): void;`,
    run: { reason: 'a fragment: ports 4505/4506 on 0.0.0.0 and host `salt` stand for a real deployment' },
  },
};

const snippets = docSnippets();
const dir = join(ROOT, '.tmp', `docs-snippets-${process.pid}`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fileOf = (id: string) => `${id.replace(/[^\w]+/g, '_')}.mts`;

describe('the TypeScript snippets of the documentation', () => {
  it('each one is in SNIPPETS, and each entry there is still documented', () => {
    expect(snippets.map((s) => s.id).filter((id) => !(id in SNIPPETS))).toEqual([]);
    const ids = new Set(snippets.map((s) => s.id));
    expect(Object.keys(SNIPPETS).filter((id) => !ids.has(id))).toEqual([]);
  });

  it('compile with strict TypeScript (NodeNext) against the built packages', { timeout: 180_000 }, () => {
    mkdirSync(dir, { recursive: true });
    for (const snippet of snippets) {
      const prelude = SNIPPETS[snippet.id]?.prelude ?? '';
      writeFileSync(join(dir, fileOf(snippet.id)), `${snippet.code}\n${prelude}\nexport {};\n`);
    }
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noUncheckedIndexedAccess: true,
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023', 'DOM'],
          types: ['node'],
          noEmit: true,
          skipLibCheck: true,
        },
        include: ['*.mts'],
      }),
    );
    let output = '';
    try {
      execFileSync('node', [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir], { encoding: 'utf8' });
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      output = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    }
    expect(output, 'the snippet files are .tmp/docs-snippets-*/<file>_<n>.mts').toBe('');
  });

  for (const snippet of snippets) {
    if (SNIPPETS[snippet.id]?.run !== true) continue;
    it(`${snippet.id} runs to its end`, { timeout: 120_000 }, async () => {
      const file = join(dir, fileOf(snippet.id));
      const cwd = mkdtempSync(join(tmpdir(), 'brine-snippet-'));
      try {
        const result = await runToEnd(`node ${join(ROOT, 'node_modules/tsx/dist/cli.mjs')} ${file}`, {
          cwd,
          timeoutMs: 60_000,
        });
        expect(result.code, result.output).toBe(0);
      } finally {
        rmSync(cwd, { recursive: true, force: true });
      }
    });
  }
});
