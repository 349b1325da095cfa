import { describe, expect, it } from 'vitest';
import { AuthError, ErrorCodes } from '@brine/contracts';
import { isValidMinionId, minionIdProblem, validateMinionId } from '@brine/core';

describe('validateMinionId', () => {
  // Salt 3008's salt.utils.verify.valid_id refuses all of these (checked with /tmp/saltvenv/v3008).
  const refusedBySalt: Array<[string, string]> = [
    ['../x', 'separator'],
    ['minion/../../foo', 'separator'], // CVE-2017-12791 / CVE-2017-14695
    ['', 'empty'],
    ['.', 'dot-path'],
    ['..', 'dot-path'],
    ['a\\b', 'separator'],
    ['..\\..\\windows', 'separator'],
    ['/etc/passwd', 'separator'],
    ['a\0b', 'nul'],
  ];
  // Salt lets these through; Brine refuses them too (file names and logs must stay sane).
  const refusedByBrine: Array<[unknown, string]> = [
    ['a'.repeat(256), 'too-long'],
    ['é'.repeat(128), 'too-long'], // 256 bytes of UTF-8 in 128 characters
    ['a\u0001b', 'control-character'],
    ['line\nbreak', 'control-character'],
    ['tab\t', 'control-character'],
    ['del\u007f', 'control-character'],
    ['c1\u0085', 'control-character'],
    ['c1\u009b[31m', 'control-character'],
    [' leading', 'whitespace-edge'],
    ['trailing ', 'whitespace-edge'],
    ['\u00a0nbsp', 'whitespace-edge'],
    ['lone\ud800', 'surrogate'],
    ['\udc00lone', 'surrogate'],
    [undefined, 'not-a-string'],
    [42, 'not-a-string'],
    [{ toString: () => 'x' }, 'not-a-string'],
    [new Uint8Array([0x61]), 'not-a-string'],
  ];

  it.each(refusedBySalt)('refuses %j (%s), as Salt does', (id, reason) => {
    expect(minionIdProblem(id)).toBe(reason);
    expect(isValidMinionId(id)).toBe(false);
  });

  it.each(refusedByBrine)('refuses %j (%s)', (id, reason) => {
    expect(minionIdProblem(id)).toBe(reason);
    expect(isValidMinionId(id)).toBe(false);
  });

  it('throws AuthError ERR_INVALID_MINION_ID with the reason in details', () => {
    let caught: unknown;
    try {
      validateMinionId('minion/../../foo');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(AuthError);
    expect(caught).toMatchObject({ code: ErrorCodes.INVALID_MINION_ID, details: { reason: 'separator' } });
  });

  it('keeps details short for a huge id', () => {
    try {
      validateMinionId('x'.repeat(100_000));
      expect.unreachable();
    } catch (error) {
      expect(String((error as AuthError).details?.id).length).toBeLessThan(80);
    }
  });

  it.each([
    'minion',
    'web-01.example.com',
    'db_2',
    '...',
    '.hidden',
    'user@host',
    'ipv6:fe80::1',
    'inner space',
    'ünïcödé-μίνιον',
    '日本語のミニオン',
    'emoji-🧂',
    'a'.repeat(255),
    'é'.repeat(127), // 254 bytes
    '🧂'.repeat(63), // 252 bytes, 126 UTF-16 units
  ])('accepts %j', (id) => {
    expect(validateMinionId(id)).toBe(id);
    expect(isValidMinionId(id)).toBe(true);
  });
});
