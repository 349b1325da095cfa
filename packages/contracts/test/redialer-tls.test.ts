import { describe, expect, it } from 'vitest';
import { createMemoryLogger, ErrorCodes, ReconnectPolicy, Redialer, TransportError } from '../src/index.js';

describe('Redialer: TLS failures', () => {
  it('logs a TLS failure at WARNING once per distinct cause, other dial failures at debug', async () => {
    const { logger, records } = createMemoryLogger('trace');
    const failures = [
      new TransportError(ErrorCodes.TLS, 'TLS failure with tcp://127.0.0.1:1: self-signed certificate'),
      new TransportError(ErrorCodes.TLS, 'TLS failure with tcp://127.0.0.1:1: self-signed certificate'),
      new TransportError(ErrorCodes.UNREACHABLE, 'connection refused'),
      new TransportError(ErrorCodes.TLS, 'TLS failure with tcp://127.0.0.1:1: certificate has expired'),
    ];
    let dials = 0;
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    const redialer = new Redialer<object>({
      dial: async (signal) => {
        const failure = failures[dials++];
        if (!failure) {
          done();
          return new Promise<object>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        }
        throw failure;
      },
      serve: () => new Promise(() => {}),
      hangUp: () => {},
      policy: new ReconnectPolicy({ reconDefault: 1, reconMax: 1, reconRandomize: false }),
      logger,
      target: 'tcp://127.0.0.1:1',
    });
    redialer.start();
    await finished;
    await redialer.stop();
    const warnings = records.filter((r) => r.level === 'warning').map((r) => r.message);
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toContain('self-signed certificate');
    expect(warnings[1]).toContain('certificate has expired');
    expect(records.some((r) => r.level === 'debug' && r.message.includes('connection refused'))).toBe(true);
  });
});
