import { readFileSync } from 'node:fs';
import type { BenchResults, ReqRepCell } from '../src/results.js';

/** A full run's results (all families, 3 sizes × 3 in-flight counts, 1/100/1,000 subscribers), committed. */
export function fullRun(): BenchResults {
  return JSON.parse(readFileSync(new URL('./fixtures/full-run.json', import.meta.url), 'utf8')) as BenchResults;
}

function reqrep(
  transport: ReqRepCell['transport'],
  mode: ReqRepCell['mode'],
  throughput: number,
  p50: number,
): ReqRepCell {
  return {
    transport,
    mode,
    size: 1024,
    inflight: 128,
    requests: throughput,
    seconds: 1,
    throughput,
    latencyUs: { count: throughput, min: p50 / 2, mean: p50, p50, p99: p50 * 2, p999: p50 * 3, max: p50 * 4 },
    clientCpu: 0.9,
    serverCpu: 0.8,
    clientElu: 0.99,
    clientCpuUsPerRequest: 9,
    serverCpuUsPerRequest: 8,
    errors: 0,
  };
}

/** A small, hand-made result set covering every section. */
export function sampleResults(): BenchResults {
  const cells = [
    reqrep('tcp', 'raw', 100_000, 1000),
    reqrep('tcp', 'transport', 60_000, 1400),
    reqrep('tcp', 'channel', 20_000, 5000),
  ];
  cells[1]!.vsRaw = { throughput: 0.6, latency: 1.4 };
  cells[2]!.vsRaw = { throughput: 0.2, latency: 5 };
  return {
    schema: 'brine-bench/1',
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:01:00.000Z',
    seconds: 60,
    quick: true,
    families: ['reqrep', 'pubsub', 'auth', 'salt'],
    transports: ['tcp'],
    machine: {
      hostname: 'bench',
      platform: 'Linux x64',
      kernel: '6.1',
      cpuModel: 'Test CPU <fast> & "cheap"',
      cpus: 2,
      availableParallelism: 2,
      memoryGiB: 8,
      loadAverage: [0.1, 0.2, 0.3],
      node: 'v20.20.2',
      v8: '11.3',
      openssl: '3.0.19',
      pinning: 'none',
    },
    timing: { warmupMs: 100, measureMs: 300, authMs: 600 },
    reqrep: cells,
    pubsub: [
      {
        transport: 'tcp',
        mode: 'transport',
        subscribers: 1000,
        subscriberProcesses: 2,
        size: 1024,
        messages: 40,
        seconds: 0.5,
        messagesPerSecond: 80,
        deliveriesPerSecond: 80_000,
        latencyUs: { count: 40_000, min: 100, mean: 200, p50: 190, p99: 400, p999: 500, max: 600 },
        delivered: 39_999,
        expected: 40_000,
        complete: false,
        publisherCpu: 0.2,
        subscriberCpu: 1.1,
      },
    ],
    auth: [
      {
        suite: 'node',
        bits: 2048,
        transport: 'tcp',
        minions: 16,
        handshakes: 600,
        seconds: 0.6,
        perSecond: 1000,
        latencyUs: { count: 600, min: 1, mean: 2, p50: 2, p99: 3, p999: 3, max: 4 },
        serverCpu: 0.5,
        clientCpu: 1,
        perServerCpuSecond: 2000,
        errors: 0,
      },
    ],
    salt: { available: false, skipped: 'no Salt venv', cells: [] },
    targets: [{ id: 'x', description: 'A target | with a pipe', met: false, detail: 'tcp: 0.20×' }],
    errors: [{ family: 'pubsub', case: 'tcp/raw x1000', code: 'ERR_TIMEOUT', message: 'too slow' }],
  };
}
