import { describe, expect, it } from 'vitest';
import { checkInboundBudget, createMaster, MemoryKeyStore } from '@brine/core';
import { createNodeSaltSuite } from '@brine/crypto/node';
import { tcpTransport } from '@brine/transport-tcp';
import { zmqTransport } from '@brine/transport-zmq';

const MiB = 1024 * 1024;
const suite = createNodeSaltSuite();

describe('inbound_budget below a message size it allows (a config that can never work)', () => {
  it('refuses a budget below max_message_size, naming both options', () => {
    let error: unknown;
    try {
      checkInboundBudget({ inboundBudget: 4 * MiB, maxMessageSize: 8 * MiB });
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'ERR_CONFIG', details: { option: 'inbound_budget' } });
    const message = (error as Error).message;
    expect(message).toContain('inbound_budget (4194304 bytes)');
    expect(message).toContain('max_message_size (8388608)');
    expect(message).not.toContain('auth_max_message_size');
  });

  it('names auth_max_message_size too when the budget is below it', () => {
    expect(() =>
      checkInboundBudget({ inboundBudget: 8 * 1024, authMaxMessageSize: 16 * 1024, maxMessageSize: 8 * MiB }),
    ).toThrow(/auth_max_message_size \(16384\) and max_message_size \(8388608\)/);
  });

  it('accepts a budget at or above max_message_size, and the defaults', () => {
    expect(() => checkInboundBudget({ inboundBudget: 8 * MiB, maxMessageSize: 8 * MiB })).not.toThrow();
    expect(() => checkInboundBudget({})).not.toThrow(); // 256 MiB budget, 64 MiB messages
    expect(() => checkInboundBudget({ inboundBudget: 1 * MiB })).toThrow(/max_message_size \(67108864\)/);
  });

  it.each([
    ['tcp', tcpTransport()],
    ['zeromq', zmqTransport()],
  ] as const)('createMaster (%s) refuses it before binding anything', (transport, factory) => {
    const make = (extra: Record<string, unknown>) =>
      createMaster(
        { transport, interface: '127.0.0.1', ret_port: 0, publish_port: 0, ...extra },
        { transports: [factory], suite, keyStore: new MemoryKeyStore() },
      );
    expect(() => make({ inbound_budget: 4 * MiB, max_message_size: 8 * MiB })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG', message: expect.stringContaining('inbound_budget') }),
    );
    expect(() => make({ inbound_budget: 8 * MiB, max_message_size: 8 * MiB })).not.toThrow();
  });
});
