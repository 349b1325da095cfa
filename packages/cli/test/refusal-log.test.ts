import { describe, expect, it } from 'vitest';
import { AuthError, createMemoryLogger, ErrorCodes, ProtocolError } from '@brine/contracts';
import { refusalLogger } from '../src/refusal-log.js';

describe('refusalLogger', () => {
  it('writes one line per error code per interval, however many refusals arrive', () => {
    const { logger, records } = createMemoryLogger('debug');
    const log = refusalLogger(logger, 60_000);
    for (let i = 0; i < 5000; i++) log(new AuthError(ErrorCodes.CLEAR_FORBIDDEN, `clear request ${i} refused`));
    log(new ProtocolError(ErrorCodes.BAD_LOAD, 'bad load'));
    const lines = records.filter((r) => String(r.message).startsWith('Refused a request'));
    expect(lines.map((r) => r.message)).toEqual([
      'Refused a request: clear request 0 refused',
      'Refused a request: bad load',
    ]);
  });
});
