import { describe, expect, it } from 'vitest';
import { formatKeys } from '../src/output/key.js';
import { formatOutput } from '../src/output/index.js';
import { formatNested } from '../src/output/nested.js';
import { parseSaltArgs, yamlifyArg } from '../src/salt-args.js';

describe('parseSaltArgs (salt.utils.args.parse_input)', () => {
  it('splits key=value into kwargs and YAML-loads every value', () => {
    expect(parseSaltArgs(['1', 'two', 'yes', '[1, 2]', '{a: 1}', 'name=web', 'count=3', 'flag=False'])).toEqual({
      arg: [1, 'two', true, [1, 2], { a: 1 }],
      kwarg: { name: 'web', count: 3, flag: false },
    });
  });

  it('keeps text that only looks like YAML', () => {
    expect(yamlifyArg('a: b')).toBe('a: b'); // a dict must come in braces
    expect(yamlifyArg('- x')).toBe('- x'); // a list must come in brackets
    expect(yamlifyArg('1_000')).toBe('1_000');
    expect(yamlifyArg('#')).toBe('#');
    expect(yamlifyArg('hello # world')).toBe('hello # world');
    expect(yamlifyArg('!')).toBe('!');
    expect(yamlifyArg('|')).toBe('|');
    expect(yamlifyArg('')).toBe('');
    expect(yamlifyArg('2024-01-02')).toBe('2024-01-02'); // Salt's loader keeps timestamps as text
    expect(yamlifyArg('20240102030405123456')).toBe('20240102030405123456'); // a jid stays exact
    expect(yamlifyArg('None')).toBeNull();
    expect(yamlifyArg('1.5')).toBe(1.5);
  });

  it('is not fooled by == or a leading digit', () => {
    expect(parseSaltArgs(['a==b', '1x=2', 'x.y-z=ok', 'msg=a=b'])).toEqual({
      arg: ['a==b', '1x=2'],
      kwarg: { 'x.y-z': 'ok', msg: 'a=b' },
    });
  });
});

describe("Salt's outputters", () => {
  it('nested: ids, then their returns indented by four', () => {
    expect(formatNested({ beta: true, alpha: 'hi\nthere' })).toBe('alpha:\n    hi\n    there\nbeta:\n    True');
    expect(formatNested({ m: { b: [1, 'x'], a: null } })).toBe(
      ['m:', '    ----------', '    a:', '        None', '    b:', '        - 1', '        - x'].join('\n'),
    );
    expect(formatNested({ m: [{ k: false }] })).toBe(
      ['m:', '    |_', '      ----------', '      k:', '          False'].join('\n'),
    );
  });

  it('txt, json and yaml', () => {
    const data = { alpha: true, beta: { n: 1 } };
    expect(formatOutput('txt', data)).toBe("alpha: True\nbeta: {'n': 1}");
    expect(JSON.parse(formatOutput('json', data))).toEqual(data);
    expect(formatOutput('json', data)).toContain('\n    "alpha": true');
    expect(formatOutput('yaml', data)).toBe('alpha: true\nbeta:\n  n: 1');
  });

  it("key: salt-key's sections in its order", () => {
    expect(formatKeys({ minions_pre: ['b', 'a'], minions: ['c'], minions_rejected: [], minions_denied: [] })).toBe(
      ['Accepted Keys:', 'c', 'Denied Keys:', 'Unaccepted Keys:', 'a', 'b', 'Rejected Keys:'].join('\n'),
    );
    expect(formatKeys({ local: { 'master.pub': 'aa:bb' }, minions: { m1: 'cc:dd' } })).toBe(
      'Local Keys:\nmaster.pub:  aa:bb\nAccepted Keys:\nm1:  cc:dd',
    );
  });
});
