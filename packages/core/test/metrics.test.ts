import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createMaster, createMinion, MemoryKeyStore, type Master, type Minion } from '@brine/core';
import { createMasterMetrics, createMinionMetrics, startMetricsServer, type MetricsServer } from '@brine/core/metrics';
import { createPooledSuite } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';
import { metricTypes, parsePrometheus, sampleValue } from './helpers/prometheus.js';

const suite = createNodeSaltSuite();

async function get(server: MetricsServer, path: string, init: RequestInit = {}) {
  const response = await fetch(`http://127.0.0.1:${server.address.port}${path}`, init);
  return { status: response.status, type: response.headers.get('content-type'), body: await response.text() };
}

/** Sends raw bytes and resolves with everything the server wrote before closing. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.on('data', (chunk) => (out += chunk.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => resolve(out));
    socket.write(text);
  });
}

describe('@brine/core/metrics', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function masterWithMetrics(): Promise<{ master: Master; server: MetricsServer }> {
    const master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    cleanups.push(() => master.close());
    const metrics = createMasterMetrics(master);
    cleanups.push(() => metrics.dispose());
    const server = await startMetricsServer({
      port: 0,
      source: metrics.registry,
      ready: () => master.status === 'running',
    });
    cleanups.push(() => server.close());
    return { master, server };
  }

  async function minionOf(master: Master, id: string): Promise<Minion> {
    const request = master.addresses.request;
    const minion = createMinion(
      { id, transport: 'tcp', master: '127.0.0.1', master_port: 'port' in request ? request.port : 0 },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    cleanups.push(() => minion.close());
    await minion.start();
    return minion;
  }

  it('counts a sign-in, a job and its return, and answers /readyz 503 before start and after close', async () => {
    const { master, server } = await masterWithMetrics();
    expect((await get(server, '/readyz')).status).toBe(503);
    expect((await get(server, '/healthz')).status).toBe(200);
    await master.start();
    expect(await get(server, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });

    await minionOf(master, 'web1');
    const result = await master.run('web1', 'test.ping', [], { timeoutSeconds: 20 });
    expect(result.returns).toEqual({ web1: true });

    const scraped = await get(server, '/metrics');
    expect(scraped.status).toBe(200);
    expect(scraped.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheus(scraped.body);
    const value = (name: string, labels?: Record<string, string>) => sampleValue(samples, name, labels);
    expect(value('brine_master_ready')).toBe(1);
    expect(value('brine_master_connected_minions', { transport: 'tcp' })).toBe(1);
    expect(value('brine_master_sign_ins_total', { outcome: 'accepted' })).toBeGreaterThanOrEqual(1);
    expect(value('brine_master_sign_ins_total', { outcome: 'rejected' })).toBe(0);
    expect(value('brine_master_requests_total', { cmd: '_auth', result: 'ok' })).toBeGreaterThanOrEqual(1);
    expect(value('brine_master_requests_total', { cmd: '_return', result: 'ok' })).toBe(1);
    expect(value('brine_master_request_duration_seconds_count', { cmd: '_return' })).toBe(1);
    expect(value('brine_master_publishes_total')).toBe(1);
    expect(value('brine_master_publish_targets_total')).toBe(1);
    expect(value('brine_master_publish_payload_bytes_total')).toBeGreaterThan(100);
    expect(value('brine_master_publish_duration_seconds_count')).toBe(1);
    expect(value('brine_master_job_completion_seconds_count')).toBe(1);
    expect(value('brine_transport_request_connections', { transport: 'tcp' })).toBe(1);
    expect(value('brine_transport_request_received_bytes_total', { transport: 'tcp' })).toBeGreaterThan(1000);
    expect(value('brine_transport_request_sent_bytes_total', { transport: 'tcp' })).toBeGreaterThan(1000);
    expect(value('brine_master_handshakes_in_flight')).toBe(0);
    expect(value('nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    const types = metricTypes(scraped.body);
    expect(types.get('brine_master_requests_total')).toBe('counter');
    expect(types.get('brine_master_request_duration_seconds')).toBe('histogram');
    expect(types.get('brine_master_connected_minions')).toBe('gauge');

    await master.close();
    expect((await get(server, '/readyz')).status).toBe(503);
    expect((await get(server, '/healthz')).status).toBe(200);
  });

  it('counts master refusals by code and refused requests by result', async () => {
    const { master, server } = await masterWithMetrics();
    await master.start();
    const minion = await minionOf(master, 'web2');
    // An encrypted command the master does not serve: refused (Salt's empty reply), counted under `other`.
    await expect(minion.request('_no_such_command', {})).resolves.toEqual({});
    const samples = parsePrometheus((await get(server, '/metrics')).body);
    expect(sampleValue(samples, 'brine_master_refusals_total', { code: 'ERR_UNKNOWN_COMMAND' })).toBe(1);
    expect(sampleValue(samples, 'brine_master_requests_total', { cmd: 'other', result: 'refused' })).toBe(1);
  });

  it('is bounded: 404 for unknown paths, 405 for other methods, 400 for an oversized head', async () => {
    const { server } = await masterWithMetrics();
    expect((await get(server, '/nope')).status).toBe(404);
    expect((await get(server, '/metrics?x=1')).status).toBe(200);
    const post = await get(server, '/metrics', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    const reply = await raw(
      server.address.port,
      `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 4(00|31) /);
    expect(server.address.host).toBe('127.0.0.1');
  });

  it('refuses connections beyond maxConnections', async () => {
    const metrics = { contentType: 'text/plain', metrics: async () => 'x 1\n' };
    const server = await startMetricsServer({ port: 0, source: metrics, ready: () => true, maxConnections: 1 });
    cleanups.push(() => server.close());
    // One connection held open (no request yet), the next is closed on accept without a reply.
    const held = connect(server.address.port, '127.0.0.1');
    cleanups.push(() => held.destroy());
    await new Promise((resolve) => held.once('connect', resolve));
    const second = await raw(server.address.port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(second).toBe('');
  });

  it('reports a port in use as ERR_ADDRESS_IN_USE', async () => {
    const metrics = { contentType: 'text/plain', metrics: async () => '' };
    const first = await startMetricsServer({ port: 0, source: metrics, ready: () => true });
    cleanups.push(() => first.close());
    await expect(
      startMetricsServer({ port: first.address.port, source: metrics, ready: () => true }),
    ).rejects.toMatchObject({ code: 'ERR_ADDRESS_IN_USE' });
  });

  it('counts a minion’s jobs, returns and sign-in state', async () => {
    const { master } = await masterWithMetrics();
    await master.start();
    const minion = await minionOf(master, 'web3');
    const metrics = createMinionMetrics(minion, { defaultMetrics: false });
    cleanups.push(() => metrics.dispose());
    // The minion counts its return once the master acknowledged it, which may be after run() resolved.
    const returned = minion.events.once('return');
    await master.run('web3', 'test.ping', [], { timeoutSeconds: 20 });
    await returned;
    const samples = parsePrometheus(await metrics.registry.metrics());
    expect(sampleValue(samples, 'brine_minion_auth_state', { state: 'authenticated' })).toBe(1);
    expect(sampleValue(samples, 'brine_minion_auth_state', { state: 'pending' })).toBe(0);
    expect(sampleValue(samples, 'brine_minion_jobs_total')).toBe(1);
    expect(sampleValue(samples, 'brine_minion_returns_total', { sent: 'true' })).toBe(1);
  });

  it.each([
    ['tcp', tcpTransport],
    ['ws', wsTransport],
    ['zeromq', zmqTransport],
  ] as const)('%s: the request server counts the bytes it received and sent', async (name, make) => {
    const store = new MemoryKeyStore();
    const master = createMaster(
      { transport: name, interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true },
      { transports: [make()], suite, keyStore: store },
    );
    cleanups.push(() => master.close());
    await master.start();
    expect(master.stats().requestServer).toMatchObject({ receivedBytes: 0, sentBytes: 0 });
    const request = master.addresses.request;
    const minion = createMinion(
      { id: 'bytes1', transport: name, master: '127.0.0.1', master_port: 'port' in request ? request.port : 0 },
      { transports: [make()], suite, keyStore: new MemoryKeyStore() },
    );
    cleanups.push(() => minion.close());
    await minion.start();
    const stats = master.stats().requestServer!;
    // A sign-in alone carries the minion's public key in (~450 bytes) and the sealed keys out.
    expect(stats.receivedBytes).toBeGreaterThan(400);
    expect(stats.sentBytes).toBeGreaterThan(400);
    await minion.close();
    const after = master.stats().requestServer!;
    expect(after.receivedBytes).toBeGreaterThanOrEqual(stats.receivedBytes!);
  });

  it('docs/metrics.md lists exactly the brine_ series the master and minion register', async () => {
    const pooled = createPooledSuite(suite, {
      module: '@brine/crypto/node',
      exportName: 'createNodeSaltSuite',
      size: 1,
      unref: true,
    });
    cleanups.push(() => pooled.close());
    const master = createMaster(
      { transport: 'tcp' },
      { transports: [tcpTransport()], suite: pooled, keyStore: new MemoryKeyStore() },
    );
    const minion = createMinion(
      { id: 'doc', transport: 'tcp' },
      { transports: [tcpTransport()], suite, keyStore: new MemoryKeyStore() },
    );
    const names = [
      ...createMasterMetrics(master, { defaultMetrics: false }).registry.getMetricsAsArray(),
      ...createMinionMetrics(minion, { defaultMetrics: false }).registry.getMetricsAsArray(),
    ].map((m) => m.name);
    const doc = readFileSync(new URL('../../../docs/metrics.md', import.meta.url), 'utf8');
    const documented = new Set([...doc.matchAll(/^\| `(brine_[a-z_]+)` \|/gm)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(20);
    expect([...documented].sort()).toEqual([...new Set(names)].sort());
  });
});
