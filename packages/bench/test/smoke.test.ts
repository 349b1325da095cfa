import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchResults } from '../src/results.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'brine-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 55_000, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

describe('brine-bench --quick --only reqrep --transports tcp', () => {
  it('runs in a child process and writes valid JSON with ratios to the raw library, and an HTML page', async () => {
    expect(existsSync(BIN), `${BIN} is missing: build first (npx tsc -b packages/bench)`).toBe(true);
    const json = join(dir, 'out.json');
    const html = join(dir, 'out.html');
    const started = Date.now();
    const { code, stdout, stderr } = await run([
      '--quick',
      '--only',
      'reqrep',
      '--transports',
      'tcp',
      '--json',
      json,
      '--html',
      html,
      '--no-progress',
    ]);
    expect(code, stderr).toBe(0);
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(stdout).toContain('Request/reply');

    const results = JSON.parse(readFileSync(json, 'utf8')) as BenchResults;
    expect(results.schema).toBe('brine-bench/1');
    expect(results.quick).toBe(true);
    expect(results.families).toEqual(['reqrep']);
    expect(results.transports).toEqual(['tcp']);
    expect(results.errors).toEqual([]);
    const modes = new Set(results.reqrep.map((c) => c.mode));
    expect(modes).toEqual(new Set(['raw', 'transport', 'channel']));
    for (const cell of results.reqrep) {
      expect(cell.transport).toBe('tcp');
      expect(cell.requests).toBeGreaterThan(0);
      expect(cell.throughput).toBeGreaterThan(0);
      expect(cell.latencyUs.p50).toBeGreaterThan(0);
      expect(cell.latencyUs.p99).toBeGreaterThanOrEqual(cell.latencyUs.p50);
      expect(cell.clientCpu).toBeGreaterThan(0);
      if (cell.mode === 'raw') expect(cell.vsRaw).toBeUndefined();
      else {
        expect(cell.vsRaw!.throughput).toBeGreaterThan(0);
        expect(cell.vsRaw!.latency).toBeGreaterThan(0);
      }
    }
    expect(results.targets.find((t) => t.id === 'channel-throughput')?.met).not.toBeNull();
    expect(results.machine.node).toBe(process.version);
    expect(readFileSync(html, 'utf8')).toContain('class="card chart"');
  }, 60_000);
});
