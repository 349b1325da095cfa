import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { cleanKey, fnmatch, pemFinger } from '@brine/core';
import { vectorKey } from '../../../test/helpers/vectors.js';

const sha = { digest: (alg: string, data: Uint8Array) => new Uint8Array(createHash(alg).update(data).digest()) };

describe('pemFinger (salt.utils.crypt.pem_finger)', () => {
  // Produced with Salt 3008.2:
  //   /tmp/saltvenv/v3008/bin/python -c "import salt.utils.crypt as c;
  //     print(c.pem_finger('test/vectors/salt/keys/minion.pub'))"          # sha256, file form
  //   ... c.pem_finger('test/vectors/salt/keys/minion.pub', sum_type='sha1')
  //   ... c.pem_finger(key=open('test/vectors/salt/keys/minion.pub','rb').read())   # text form
  // The same file rewritten with CRLF line ends, or with blank lines added, gives Salt the same file-form value.
  const MINION_SHA256 =
    'ed:7c:a0:8d:84:31:85:c6:45:1d:b7:33:e1:8a:da:04:e4:5c:64:4f:75:e5:29:5c:3e:87:53:e8:8d:37:54:35';
  const MINION_SHA1 = '9e:df:da:03:46:da:72:bf:00:7a:d6:84:b9:a3:31:9c:be:83:a2:a2';
  const MINION_TEXT_SHA256 =
    '35:24:50:f6:78:74:e5:44:bb:76:9e:7b:a1:b4:f0:38:40:1b:00:b0:3f:56:c7:5f:e5:28:7a:71:f6:be:8a:ef';
  const pub = vectorKey('minion.pub');

  it('matches Salt for the vector minion key', () => {
    expect(pemFinger(pub, sha)).toBe(MINION_SHA256);
    expect(pemFinger(pub, sha, { algorithm: 'sha1' })).toBe(MINION_SHA1);
    expect(pemFinger(pub, sha, { form: 'text' })).toBe(MINION_TEXT_SHA256);
  });

  it('ignores line endings and blank lines in file form, as Salt does', () => {
    expect(pemFinger(`${pub.replaceAll('\n', '\r\n')}\r\n`, sha)).toBe(MINION_SHA256);
    expect(pemFinger(`\n\n${pub.replaceAll('\n', '\n\n')}\n\n`, sha)).toBe(MINION_SHA256);
    expect(pemFinger(`${pub}\n`, sha)).toBe(MINION_SHA256);
  });
});

describe('cleanKey (salt.crypt.clean_key)', () => {
  // Expected values printed by Salt 3008.2's salt.crypt.clean_key for the same inputs.
  it.each([
    ['  a\r\nb\rc\n\n d \n', 'a\nb\nc\n\n d'],
    ['\ufeffx\u001cy\u0085', '\ufeffx\ny'],
    ['x\u2028y\u000bz', 'x\ny\nz'],
  ])('%j -> %j', (input, expected) => {
    expect(cleanKey(input)).toBe(expected);
  });

  it('leaves a Salt-style pub unchanged', () => {
    const pub = vectorKey('minion.pub');
    expect(cleanKey(pub)).toBe(pub);
    expect(cleanKey(`${pub.replaceAll('\n', '\r\n')}\r\n`)).toBe(pub);
  });
});

describe('fnmatch (Python fnmatch.fnmatch on POSIX)', () => {
  // Expected results printed by Python 3.11's fnmatch.fnmatch (the one salt-key uses).
  it.each([
    ['web1', 'web*', true],
    ['web1', 'w?b1', true],
    ['web1', 'web[0-9]', true],
    ['web1', 'web[!0-9]', false],
    ['web[1]', 'web[1]', false],
    ['a]', '[]]', false],
    ['a', '[!]]', true],
    ['web1', 'WEB*', false],
    ['x[', 'x[', true],
    ['b', '[z-a]', false],
    ['-', '[a-]', true],
    ['ab', 'a[]b', false],
    ['a.b', 'a.b', true],
    ['axb', 'a.b', false],
    ['a^', 'a[^]', true],
    ['a\\', 'a[\\]', true],
    ['é', '?', true],
    ['😀', '?', true],
    ['a-c', 'a[a-c-e]c', true],
    ['e', '[a-c-e]', true],
    ['d', '[a-c-e]', false],
    ['a\nb', 'a*b', true],
    ['', '*', true],
    ['ab', 'a**b', true],
    ['a(b)', 'a(b)', true],
    ['a+b', 'a+b', true],
    ['a{1}', 'a{1}', true],
  ] as const)('fnmatch(%j, %j) = %s', (name, pattern, expected) => {
    expect(fnmatch(name, pattern)).toBe(expected);
  });
});
