import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loads, packb, silentLogger } from '@brine/contracts';
import {
  createMaster,
  EventBus,
  MemoryKeyStore,
  packEvent,
  unpackEvent,
  type Master,
  type SaltEvent,
} from '@brine/core';
import { controlRequest, frameMsg, MasterIpc, subscribeMasterEvents } from '@brine/core/node';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { hex, loadVector, toHex } from '../../../test/helpers/vectors.js';

const frames = loadVector<{ event_bus: Array<{ name: string; hex: string; tag?: string }> }>('frames.json');
const v3 = loadVector<{
  event_bus_3008: { event_packed_hex: string; push_frame_hex: string; publisher_to_subscriber_hex: string };
}>('v3_3008.json');
const vector = (name: string) => frames.event_bus.find((c) => c.name === name)!;

describe('event framing (Salt vectors)', () => {
  it('packs and unpacks SaltEvent bytes byte for byte', () => {
    const packed = vector('event_packed');
    const event = unpackEvent(hex(packed.hex));
    expect(event.tag).toBe(packed.tag);
    expect(toHex(packEvent(event))).toBe(packed.hex);
  });

  it('frames events for the pull and publish sockets as Salt does (frame_msg)', () => {
    const packed = hex(vector('event_packed').hex);
    expect(toHex(frameMsg(packed))).toBe(vector('event_push_to_pull_socket').hex);
    expect(toHex(frameMsg(packed))).toBe(vector('event_publisher_to_subscriber').hex);
  });

  it("matches 3008's frames: the publisher frame unchanged, the push frame with a uint32 length", () => {
    const e = v3.event_bus_3008;
    const framed = frameMsg(hex(e.event_packed_hex));
    expect(toHex(framed)).toBe(e.publisher_to_subscriber_hex);
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(framed.length);
    expect(prefix.toString('hex') + toHex(framed)).toBe(e.push_frame_hex);
  });

  it('refuses an event without the tag terminator', () => {
    expect(() => unpackEvent(packb({ a: 1 }))).toThrow(expect.objectContaining({ code: 'ERR_DECODE' }));
  });

  it('the in-process bus stamps events and filters by prefix', async () => {
    const bus = new EventBus();
    const seen: SaltEvent[] = [];
    bus.subscribe('salt/job/', (e) => seen.push(e));
    const next = bus.next('salt/job/1/new', { timeout: 1000 });
    bus.fire('salt/auth', { id: 'x' });
    bus.fire('salt/job/1/new', { jid: '1' });
    expect((await next).data._stamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
    expect(seen.map((e) => e.tag)).toEqual(['salt/job/1/new']);
    await expect(bus.next('never', { timeout: 20 })).rejects.toMatchObject({ code: 'ERR_TIMEOUT' });
  });
});

describe('master IPC sockets', () => {
  let master: Master | undefined;
  let ipc: MasterIpc | undefined;
  afterEach(async () => {
    await ipc?.close();
    await master?.close();
  });

  async function start(): Promise<string> {
    const sockDir = mkdtempSync(join(tmpdir(), 'brine-ipc-'));
    master = createMaster(
      { transport: 'tcp', interface: '127.0.0.1', ret_port: 0, publish_port: 0 },
      { transports: [tcpTransport()], suite: createNodeSaltSuite(), keyStore: new MemoryKeyStore() },
    );
    await master.start();
    ipc = new MasterIpc(master, sockDir, silentLogger);
    await ipc.start();
    return sockDir;
  }

  it('serves the bus to other processes in Salt framing, accepts pushed events, answers the control socket', async () => {
    const sockDir = await start();
    const received: SaltEvent[] = [];
    let gotOne!: () => void;
    const got = new Promise<void>((resolve) => (gotOne = resolve));
    const stop = subscribeMasterEvents(sockDir, (e) => {
      received.push(e);
      if (e.tag === 'custom/tag') gotOne();
    });
    const pushed = master!.bus.next('pushed/tag', { timeout: 5000 });
    const push = net.connect(join(sockDir, 'master_event_pull.ipc'));
    await new Promise((r) => push.once('connect', r));
    const framed = frameMsg(packEvent({ tag: 'pushed/tag', data: { n: 1 } }));
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(framed.length);
    push.write(Buffer.concat([prefix, framed]));
    expect((await pushed).data.n).toBe(1);
    push.destroy();

    // The subscriber's socket is accepted asynchronously: keep firing until it has one.
    const timer = setInterval(() => master!.bus.fire('custom/tag', { hello: 'world' }), 20);
    await got;
    clearInterval(timer);
    stop();
    expect(received.find((e) => e.tag === 'custom/tag')?.data.hello).toBe('world');

    const status = (await controlRequest(sockDir, { cmd: 'status' }, 5000)) as { connected: string[] };
    expect(status.connected).toEqual([]);
    await expect(controlRequest(sockDir, { cmd: 'nope' }, 5000)).rejects.toMatchObject({ code: 'ERR_UNKNOWN_COMMAND' });
    const ran = (await controlRequest(sockDir, { cmd: 'run', tgt: 'none*', fun: 'test.ping', timeout: 1 }, 5000)) as {
      minions: string[];
    };
    expect(ran.minions).toEqual([]);
  });

  it('the control socket refuses garbage and keeps serving', async () => {
    const sockDir = await start();
    const raw = net.connect(join(sockDir, 'brine_control.ipc'));
    await new Promise((r) => raw.once('connect', r));
    const closed = new Promise((r) => raw.once('close', r));
    raw.write(Buffer.from([0xc1, 0xc1]));
    await closed;
    expect(loads(packb({ ok: true }))).toEqual({ ok: true });
    expect(await controlRequest(sockDir, { cmd: 'status' }, 5000)).toMatchObject({ connected: [] });
  });
});
