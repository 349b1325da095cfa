import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, ErrorCodes, ProtocolError, type TransportFactory } from '@brine/contracts';
import { createMaster, createMinion, MemoryKeyStore, tooLargeReturn, type Master, type Minion } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { wsTransport } from '@brine/transport-ws';
import { zmqTransport } from '@brine/transport-zmq';

const KiB = 1024;
const LIMIT = 256 * KiB;
const suite = createNodeSaltSuite();

describe('a return over max_message_size', () => {
  const open: Array<Master | Minion> = [];
  afterEach(async () => {
    for (const x of open.splice(0).reverse()) await x.close();
  });

  it.each([
    ['tcp', tcpTransport()],
    ['ws', wsTransport()],
    ['zeromq', zmqTransport()],
  ] as const)(
    '%s: the minion sends a small error return instead, once, and warns; other returns are unchanged',
    async (transport, factory: TransportFactory) => {
      const bounds = { max_message_size: LIMIT, inbound_budget: LIMIT };
      const master = createMaster(
        { transport, interface: '127.0.0.1', ret_port: 0, publish_port: 0, auto_accept: true, ...bounds },
        { transports: [factory], suite, keyStore: new MemoryKeyStore() },
      );
      open.push(master);
      const { request, publish } = await master.start();
      const port = (a: typeof request) => ('port' in a ? a.port : 0);
      const warnings: string[] = [];
      const minion = createMinion(
        {
          id: 'big1',
          transport,
          master: '127.0.0.1',
          master_port: port(request),
          publish_port: port(publish),
          ...bounds,
        },
        {
          transports: [factory],
          suite,
          keyStore: new MemoryKeyStore(),
          logger: createLogger({ level: 'warning', sink: (r) => warnings.push(r.message) }),
        },
      );
      open.push(minion);
      let calls = 0;
      minion.functions.register('test.big', () => {
        calls++;
        return 'x'.repeat(LIMIT + 1);
      });
      await minion.start({ timeout: 20_000 });

      const big = await master.run('big1', 'test.big', [], { timeoutSeconds: 20 });
      expect(big.missing).toEqual([]);
      const text = String(big.returns.big1);
      expect(text).toMatch(/^The return of (\d+) bytes exceeds max_message_size \(262144 bytes\) and was not sent$/);
      expect(Number(/of (\d+) bytes/.exec(text)![1])).toBeGreaterThan(LIMIT);
      expect(big.details.big1).toMatchObject({ success: false, retcode: 1, fun: 'test.big', jid: big.jid });
      expect(calls).toBe(1);
      const lines = warnings.filter((w) => w.includes(big.jid));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('sending an error return instead');
      expect(warnings.filter((w) => /failed \(try/.test(w))).toEqual([]); // not retried

      const small = await master.run('big1', 'test.echo', ['fine'], { timeoutSeconds: 20 });
      expect(small.returns).toEqual({ big1: 'fine' });
      expect(small.details.big1).toMatchObject({ success: true, retcode: 0 });
    },
  );

  it('tooLargeReturn keeps the job identity, drops the data, and says so without a size when none is known', () => {
    const load = {
      cmd: '_return',
      id: 'm1',
      jid: '20990101000000000001',
      fun: 'f',
      fun_args: ['a'],
      return: 'x',
      user: 'root',
      _stamp: 's',
    };
    const sized = new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, 'big', { details: { size: 123 } });
    expect(tooLargeReturn(load, sized, 100)).toEqual({
      cmd: '_return',
      id: 'm1',
      jid: '20990101000000000001',
      fun: 'f',
      fun_args: [],
      success: false,
      retcode: 1,
      return: 'The return of 123 bytes exceeds max_message_size (100 bytes) and was not sent',
      user: 'root',
      _stamp: 's',
    });
    const unsized = new ProtocolError(ErrorCodes.MESSAGE_TOO_LARGE, 'big');
    expect(tooLargeReturn(load, unsized, 100).return).toBe(
      'The return exceeds max_message_size (100 bytes) and was not sent',
    );
  });
});
