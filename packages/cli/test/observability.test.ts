/**
 * Issue 12's must-show: a real `brine master` (and `brine minion`) with `metrics_port`, a job run
 * with `brine run`, and the endpoints answering with the expected series; and the JSON log format
 * (`log_fmt_console: json`, `log_fmt_logfile: json`), every line one JSON object.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, ErrorCodes } from '@brine/contracts';
import { formatJsonRecord } from '../src/logging.js';
import { parsePrometheus, sampleValue } from '../../core/test/helpers/prometheus.js';
import { assertBuilt, freePort, killChildren, removeTempDirs, runCli, startCli, tempDir } from './helpers.js';

beforeAll(assertBuilt);
afterEach(async () => {
  await killChildren();
  await removeTempDirs();
});

async function configDir(master: string[], minion: string[] = []) {
  const dir = await tempDir('brine-obs-');
  const [publish, ret] = [await freePort(), await freePort()];
  await writeFile(
    join(dir, 'master'),
    [
      'transport: tcp',
      'interface: 127.0.0.1',
      `publish_port: ${publish}`,
      `ret_port: ${ret}`,
      `root_dir: ${dir}`,
      'pki_dir: pki/master',
      'cachedir: cache/master',
      'sock_dir: run/master',
      'log_level: info',
      ...master,
    ].join('\n'),
  );
  await writeFile(
    join(dir, 'minion'),
    [
      'transport: tcp',
      'master: 127.0.0.1',
      `master_port: ${ret}`,
      `root_dir: ${dir}`,
      'acceptance_wait_time: 0.2',
      'log_level: info',
      ...minion,
    ].join('\n'),
  );
  return dir;
}

const METRICS_URL = /Metrics on (http:\/\/127\.0\.0\.1:\d+)\/metrics/;

async function get(base: string, path: string) {
  const response = await fetch(`${base}${path}`);
  return { status: response.status, body: await response.text() };
}

describe('metrics_port on brine master and brine minion', () => {
  it('serves /metrics with the sign-in, the job and its request, /healthz and /readyz 200 while up', async () => {
    const dir = await configDir(['auto_accept: true', 'metrics_port: 0'], ['metrics_port: 0']);
    const master = startCli(['master', '-c', dir]);
    const masterBase = METRICS_URL.exec(await master.waitFor(METRICS_URL))![1]!;
    await master.waitFor(/Brine master 'master' listening over tcp/);
    expect(await get(masterBase, '/readyz')).toEqual({ status: 200, body: 'ready\n' });
    expect((await get(masterBase, '/healthz')).status).toBe(200);
    expect((await get(masterBase, '/other')).status).toBe(404);

    const minion = startCli(['minion', '-c', dir, '--id', 'm1', '--pki-dir', 'pki/m1', '--cachedir', 'cache/m1']);
    const minionBase = METRICS_URL.exec(await minion.waitFor(METRICS_URL))![1]!;
    await minion.waitFor(/Minion 'm1' is up/);
    const ping = await runCli(['run', '*', 'test.ping', '--out', 'json', '-c', dir]);
    expect(ping.code, ping.stderr).toBe(0);
    expect(JSON.parse(ping.stdout)).toEqual({ m1: true });

    const scraped = await get(masterBase, '/metrics');
    expect(scraped.status).toBe(200);
    const samples = parsePrometheus(scraped.body);
    const value = (name: string, labels?: Record<string, string>) => sampleValue(samples, name, labels);
    expect(value('brine_master_ready')).toBe(1);
    expect(value('brine_master_connected_minions', { transport: 'tcp' })).toBe(1);
    expect(value('brine_master_sign_ins_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(value('brine_master_requests_total', { cmd: '_auth', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value('brine_master_requests_total', { cmd: '_return', result: 'ok' })).toBe(1);
    expect(value('brine_master_request_duration_seconds_count', { cmd: '_return' })).toBe(1);
    expect(value('brine_master_publishes_total')).toBe(1);
    expect(value('brine_master_job_completion_seconds_count')).toBe(1);
    expect(value('brine_transport_request_received_bytes_total', { transport: 'tcp' })).toBeGreaterThan(0);
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);

    expect((await get(minionBase, '/readyz')).status).toBe(200);
    const minionSamples = parsePrometheus((await get(minionBase, '/metrics')).body);
    expect(sampleValue(minionSamples, 'brine_minion_auth_state', { state: 'authenticated' })).toBe(1);
    expect(sampleValue(minionSamples, 'brine_minion_jobs_total')).toBe(1);

    master.proc.kill('SIGTERM');
    minion.proc.kill('SIGTERM');
    expect(await master.exited).toBe(0);
    expect(await minion.exited).toBe(0);
  });

  it('loads prom-client only when metrics_port is set', async () => {
    const hook = fileURLToPath(new URL('./fixtures/report-prom-client.mjs', import.meta.url));
    const env = { NODE_OPTIONS: `--import ${hook}` };
    for (const [extra, loaded] of [
      [[], false],
      [['metrics_port: 0'], true],
    ] as const) {
      const master = startCli(['master', '-c', await configDir([...extra])], { env });
      await master.waitFor(/Brine master 'master' listening over tcp/);
      master.proc.kill('SIGTERM');
      expect(await master.exited).toBe(0);
      expect(master.stderr.includes('LOADED prom-client'), master.stderr).toBe(loaded);
    }
  });

  it('refuses a metrics_port that is not a port, naming the option and the file', async () => {
    const dir = await configDir(['metrics_port: 70000']);
    const result = await runCli(['master', '-c', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/metrics_port must be an integer from 0 to 65535, got 70000 \(in .*master\)/);
  });
});

describe('log_fmt_console: json and log_fmt_logfile: json', () => {
  it('writes one JSON object per line, with time, level, name, message and pid, on stderr and in the log file', async () => {
    const dir = await configDir(['log_fmt_console: json', 'log_fmt_logfile: json', 'log_file: master.log']);
    const master = startCli(['master', '-c', dir, '-l', 'debug']);
    await master.waitFor(/Brine master 'master' listening over tcp/);
    master.proc.kill('SIGTERM');
    expect(await master.exited).toBe(0);

    for (const text of [master.stderr, await readFile(join(dir, 'master.log'), 'utf8')]) {
      const lines = text.trim().split('\n');
      expect(lines.length).toBeGreaterThan(3);
      const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const record of records) {
        expect(record).toMatchObject({
          level: expect.any(String),
          name: expect.any(String),
          message: expect.any(String),
        });
        expect(new Date(record.time as string).toISOString()).toBe(record.time);
        expect(record.pid).toBe(master.proc.pid);
      }
      expect(records).toContainEqual(
        expect.objectContaining({
          level: 'info',
          name: 'brine.master',
          message: expect.stringMatching(/listening over tcp/),
        }),
      );
    }
  });

  it('puts an error’s code, class and details in an `error` object', () => {
    const error = new ConfigError(ErrorCodes.CONFIG, 'bad value', { details: { option: 'timeout' } });
    const line = formatJsonRecord(
      { level: 'warning', name: 'brine.master', message: 'Refused', time: Date.UTC(2025, 0, 2, 3, 4, 5, 6), error },
      { label: 'alpha' },
    );
    expect(JSON.parse(line)).toEqual({
      time: '2025-01-02T03:04:05.006Z',
      level: 'warning',
      name: 'brine.master',
      message: 'Refused',
      pid: process.pid,
      label: 'alpha',
      error: { class: 'ConfigError', code: 'ERR_CONFIG', message: 'bad value', details: { option: 'timeout' } },
    });
  });

  it('refuses a log_fmt_console that is neither json, text nor a Salt format string', async () => {
    const dir = await configDir(['log_fmt_console: jsn']);
    const result = await runCli(['master', '-c', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/log_fmt_console must be 'json', 'text' or a Salt format string, got "jsn"/);
  });
});
