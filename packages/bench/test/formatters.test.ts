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
import { fullRun, sampleResults } from './fixture.js';
import { axisFor, barChart } from '../src/report/chart.js';

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

  it('left-aligns text and right-aligns figures, whatever the text contains', () => {
    const text = renderTextTable(
      ['target', 'result', 'figures'],
      [
        ['A long target', 'met', 'tcp: 1 KiB 0.20×'],
        ['Short', 'MISSED', 'zeromq: 64 B 0.12×, 1 KiB 0.17×'],
      ],
    ).split('\n');
    expect(text[2]).toBe('A long target  met     tcp: 1 KiB 0.20×');
    expect(text[3]).toBe('Short          MISSED  zeromq: 64 B 0.12×, 1 KiB 0.17×');
  });

  for (const columns of [80, 150]) {
    it(`fits a full run into ${columns} columns, wrapping text and splitting wide tables`, () => {
      const text = formatTable(fullRun(), columns);
      const lines = text.split('\n');
      const widest = Math.max(...lines.map((l) => [...l].length));
      expect(widest).toBeLessThanOrEqual(columns);
      expect(widest).toBeGreaterThan(columns - 20); // it uses the width it has
      // Every figure is still there: the last column of the request/reply table and a long target.
      expect(text).toContain('1247+1511');
      expect(text).toContain('CPU-second; minions');
      // Figures right-aligned under their header, text left-aligned under its header.
      const header = lines.find((l) => l.startsWith('transport  implementation') && l.includes('req/s'))!;
      const row = lines.find((l) => l.startsWith('zeromq     raw zeromq.js'))!;
      const end = header.indexOf('req/s') + 'req/s'.length;
      expect(row.slice(end - 5, end)).toBe('12.8k');
      expect(row.indexOf('raw zeromq.js')).toBe(header.indexOf('implementation'));
    });
  }

  it('keeps a table whole when it fits, and never cuts a line below 40 columns', () => {
    const wide = formatTable(fullRun(), 400);
    expect(
      wide.split('\n').some((l) => l.includes('transport  implementation') && l.includes('CPU µs/req gen+srv')),
    ).toBe(true);
    const narrow = formatTable(sampleResults(), 20).split('\n');
    expect(Math.max(...narrow.map((l) => [...l].length))).toBeLessThanOrEqual(40);
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
  it('is one self-contained page: CSS charts, no scripts or external assets, escaped text', () => {
    const html = formatHtml(sampleResults());
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('class="card chart"');
    expect(html).not.toMatch(/<script|<link|src=|href=|@import|url\(/i);
    expect(html).not.toContain('http');
    expect(html).toContain('Test CPU &lt;fast&gt; &amp; &quot;cheap&quot;');
    expect(html).not.toContain('<fast>');
  });
});

describe('charts', () => {
  it('use a linear axis unless the values span two orders of magnitude, and then say so', () => {
    expect(axisFor([5, 120, 300]).scale).toBe('linear');
    expect(axisFor([5, 120, 300]).ticks).toEqual([0, 100, 200, 300, 400, 500]);
    const log = axisFor([2, 1300]);
    expect(log.scale).toBe('log');
    expect(log.ticks).toEqual([1, 10, 100, 1000, 10000]);
    expect(log.at(100)).toBeCloseTo(50);
    const groups = [
      { label: 'a', bars: [{ series: 's', value: 2 }] },
      { label: 'b', bars: [{ series: 's', value: 1300 }] },
    ];
    expect(barChart({ title: 't', unit: 'u', groups })).toContain('log scale');
    expect(barChart({ title: 't', unit: 'u', groups, scale: 'linear' })).not.toContain('log scale');
  });

  it('give every chart one unit, split by unit rather than mixed, with the legend and full labels inside', () => {
    const html = formatHtml(fullRun());
    const charts = html.split('<figure class="card chart"').slice(1);
    expect(charts.length).toBe(6 + 3 + 2 + 4); // reqrep 2 × 3 sizes, fan-out × 3, auth × 2, salt × 4
    for (const c of charts) expect(c.match(/class="unit"/g)).toHaveLength(1);
    // Salt's scenarios (handshakes/s, requests/s, jobs/s) each get their own chart.
    for (const unit of ['handshakes/s', 'requests/s', 'jobs/s']) expect(html).toContain(`<p class="unit">${unit}`);
    expect(html).toContain('<ul class="legend">');
    expect(html).toMatch(/<div class="glabel" title="node\+pool RSA-2048">/);
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
