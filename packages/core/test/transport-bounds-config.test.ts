import { describe, expect, it } from 'vitest';
import { resolveTransportOptions } from '@brine/contracts';
import { resolveMasterConfig, transportOptionsOf } from '@brine/core';
import { BUILTIN_TRANSPORT_NAMES, loadTransport } from '@brine/core/node';

const from = { from: [import.meta.url] };

describe('server bounds from a master config', () => {
  it.each(BUILTIN_TRANSPORT_NAMES)(
    '%s reads every bound by its Salt-style name (sizes in bytes, times in seconds)',
    async (name) => {
      const { value: transport } = await loadTransport(name, from);
      const config = resolveMasterConfig({
        auth_max_message_size: 8192,
        message_deadline: 12,
        unauthenticated_timeout: 4,
        inbound_budget: 1 << 20,
        max_outbound_buffer: 1 << 19,
        max_requests_in_flight: 16,
        max_connections: 500,
        max_unauthenticated_connections: 50,
      });
      const options = transportOptionsOf(config, transport);
      expect(options).toMatchObject({
        authMaxMessageSize: 8192,
        messageDeadline: 12_000,
        unauthenticatedTimeout: 4_000,
        inboundBudget: 1 << 20,
        maxOutboundBuffer: 1 << 19,
        maxRequestsInFlight: 16,
        maxConnections: 500,
        maxUnauthenticatedConnections: 50,
      });
      expect(() => transport.requestServer(options)).not.toThrow();
    },
  );

  it('has the documented defaults and refuses nonsense', async () => {
    expect(resolveTransportOptions({})).toMatchObject({
      authMaxMessageSize: 16 * 1024,
      messageDeadline: 30_000,
      unauthenticatedTimeout: 10_000,
      inboundBudget: 256 * 1024 * 1024,
      maxOutboundBuffer: 8 * 1024 * 1024,
      maxRequestsInFlight: 64,
      maxConnections: 20_000,
      maxUnauthenticatedConnections: 1_000,
    });
    expect(() => resolveTransportOptions({ inboundBudget: -1 })).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
    const { value: tcp } = await loadTransport('tcp', from);
    expect(() => transportOptionsOf(resolveMasterConfig({ message_deadline: 'soon' }), tcp)).toThrow(
      expect.objectContaining({ code: 'ERR_CONFIG' }),
    );
  });
});
