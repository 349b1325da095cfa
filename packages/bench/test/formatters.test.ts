import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from '../src/cli.js';
import { readResults } from '../src/run.js';
import { formatHtml } from '../src/report/html.js';
import { BEGIN_MARKER, END_MARKER, formatMarkdown, replaceBetweenMarkers } from '../src/report/markdown.js';
import { formatTable, renderTextTable } from '../src/report/table.js';
import type { SaltCell, SaltScenario } from '../src/results.js';
import { checkTargets } from '../src/targets.js';
import { sampleResults } from './fixture.js';

describe('terminal table', () => {
  it('aligns columns and right-aligns numbers', () => {
    const text = renderTextTable(
      ['name', 'req/s'],
      [
        ['tcp', '9'],
        ['zeromq', '100'],
      ],
    ).split('\n');
    expect(text[0]).toBe('name    req/s');
    expect(text[2]).toBe('tcp         9');
    expect(text[3]).toBe('zeromq    100');
  });

  it('renders every section of a result set', () => {
    const text = formatTable(sampleResults());
    for (const title of [
      'Request/reply',
      'Publish fan-out',
      'Auth handshakes',
      'Against salt-master',
      'Targets',
      'Errors',
    ]) {
      expect(text).toContain(title);
    }
    expect(text).toContain('0.60×'); // ratio to raw
    expect(text).toContain('39999/40000'); // an incomplete fan-out shows what arrived
    expect(text).toContain('MISSED');
  });
});

describe('markdown', () => {
  it('escapes pipes and renders tables with a header rule', () => {
    const md = formatMarkdown(sampleResults());
    expect(md).toContain('### Request/reply');
    expect(md).toMatch(/\| transport \| implementation \|/);
    expect(md).toContain('A target \\| with a pipe');
  });

  it('rewrites only the text between the markers', () => {
    const doc = `# Bench\n\nmethod\n\n${BEGIN_MARKER}\nold table\n${END_MARKER}\n\nafter\n`;
    const out = replaceBetweenMarkers(doc, 'NEW');
    expect(out).toContain(`${BEGIN_MARKER}\n\nNEW\n\n${END_MARKER}`);
    expect(out.startsWith('# Bench\n\nmethod\n\n')).toBe(true);
    expect(out.endsWith('\n\nafter\n')).toBe(true);
    expect(out).not.toContain('old table');
    expect(replaceBetweenMarkers(out, 'NEWER')).toContain('NEWER');
  });

  it('refuses a document without markers (typed error)', () => {
    expect(() => replaceBetweenMarkers('# nothing here', 'x')).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
  });
});

describe('html', () => {
  it('is one self-contained page: inline SVG charts, no scripts or external assets, escaped text', () => {
    const html = formatHtml(sampleResults());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<svg');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html.replace(/xmlns="http:\/\/www\.w3\.org\/2000\/svg"/g, '')).not.toContain('http');
    expect(html).toContain('Test CPU &lt;fast&gt; &amp; &quot;cheap&quot;');
    expect(html).not.toContain('<fast>');
  });
});

describe('targets', () => {
  it('checks the channel ratios, the auth rate and the 1,000-subscriber fan-out', () => {
    const { targets: _ignored, ...rest } = sampleResults();
    const checks = checkTargets(rest);
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['channel-throughput']!.met).toBe(false);
    expect(byId['channel-throughput']!.detail).toContain('tcp: 1 KiB 0.20×');
    expect(byId['channel-p50']!.met).toBe(false);
    expect(byId['auth-2048']!.met).toBe(true);
    expect(byId['publish-1000']!.met).toBe(false);
    expect(byId['salt-auth']!.met).toBeNull();
  });

  it('reads the salt auth target on master capacity and shows the full-minion figure too', () => {
    const { targets: _ignored, ...rest } = sampleResults();
    const side = (value: number) => ({ value, seconds: 1, count: value, complete: true });
    const cell = (scenario: SaltScenario, brine: number, salt: number): SaltCell => ({
      scenario,
      transport: 'zeromq',
      minions: 16,
      unit: 'handshakes/s',
      brine: side(brine),
      salt: side(salt),
      ratio: brine / salt,
    });
    const salt = { available: true, cells: [cell('auth', 600, 100), cell('auth-capacity', 900, 300)] };
    const check = checkTargets({ ...rest, salt }).find((c) => c.id === 'salt-auth')!;
    expect(check.met).toBe(false);
    expect(check.detail).toBe(
      'auth (replays _auth): Brine 900 vs Salt 300 handshakes/s: 3.00×; auth (full minions): Brine 600 vs Salt 100 handshakes/s: 6.00×',
    );
  });
});

describe('command line', () => {
  it('parses families, transports and outputs', () => {
    expect(
      parseCli(['--quick', '--only', 'reqrep,auth', '--transports', 'ws,tcp', '--json', 'x.json', '--no-progress']),
    ).toMatchObject({
      quick: true,
      only: ['reqrep', 'auth'],
      transports: ['ws', 'tcp'],
      json: 'x.json',
      progress: false,
    });
    expect(parseCli(['--update-benchmarks-md'])).toMatchObject({ updateBenchmarksMd: true });
    expect(parseCli(['--no-files'])).toMatchObject({ json: false, html: false });
    expect(parseCli(['-h'])).toBe('help');
    // `pnpm bench -- --quick`, as the README shows it, passes the `--` through.
    expect(parseCli(['--', '--quick'])).toMatchObject({ quick: true });
  });

  it('rejects unknown names with typed errors', () => {
    expect(() => parseCli(['--only', 'reqrep,nope'])).toThrow(
      expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }),
    );
    expect(() => parseCli(['--transports', 'udp'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    expect(() => parseCli(['--pin', 'sideways'])).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
  });
});

describe('saved results', () => {
  it('reads a results file back and refuses anything else (typed errors)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'brine-bench-from-'));
    try {
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify(sampleResults()));
      expect(readResults(good).reqrep).toHaveLength(3);
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ schema: 'other' }));
      expect(() => readResults(bad)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
      expect(() => readResults(join(dir, 'missing.json'))).toThrow(expect.objectContaining({ code: 'ERR_CONFIG' }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
