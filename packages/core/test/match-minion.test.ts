import { describe, expect, it } from 'vitest';
import { LIMITS, TargetError, matchMinion, translatePyRegex, type MinionSelf } from '../src/match/index.js';

const grains = { os: 'Ubuntu', os_family: 'Debian', ipv4: ['127.0.0.1', '10.0.0.5'], ipv6: ['::1'], roles: ['web'] };
const me: MinionSelf = { id: 'web1.example.com', grains, pillar: { role: 'web' } };
const noData: MinionSelf = { id: 'web1.example.com' };

describe('matchMinion: the everyday targets', () => {
  it('glob, pcre, list', () => {
    expect(matchMinion('web*', 'glob', me)).toBe(true);
    expect(matchMinion('WEB*', 'glob', me)).toBe(false); // fnmatch is case-sensitive on POSIX
    expect(matchMinion('web1', 'pcre', me)).toBe(true); // re.match: anchored at the start only
    expect(matchMinion('example', 'pcre', me)).toBe(false);
    expect(matchMinion('a,web1.example.com', 'list', me)).toBe(true);
    expect(matchMinion('a, web1.example.com', 'list', me)).toBe(false); // Salt does not strip
    expect(matchMinion(['db1', 'web1.example.com'], 'list', me)).toBe(true);
    expect(matchMinion('web*', undefined, me)).toBe(true); // no tgt_type: glob
  });

  it('grain targets compare lower-cased str() values, glob or regex, with a delimiter', () => {
    expect(matchMinion('os:ubuntu', 'grain', me)).toBe(true);
    expect(matchMinion('roles:web', 'grain', me)).toBe(true);
    expect(matchMinion('os;Ubuntu', 'grain', me, { delimiter: ';' })).toBe(true);
    expect(matchMinion('os:UB.*', 'grain_pcre', me)).toBe(true);
    expect(matchMinion('os', 'grain', me)).toBe(false); // no delimiter: "insufficient arguments"
  });

  it('ipcidr: address by exact string, network by containment; self.ipv4 overrides grains', () => {
    expect(matchMinion('10.0.0.0/24', 'ipcidr', me)).toBe(true);
    expect(matchMinion('10.0.0.5', 'ipcidr', me)).toBe(true);
    expect(matchMinion('10.0.0.1/24', 'ipcidr', me)).toBe(false); // host bits set: invalid
    expect(matchMinion('10.0.0.0/24', 'ipcidr', { ...me, ipv4: ['192.168.1.2'] })).toBe(false);
    expect(matchMinion('::1', 'ipcidr', me)).toBe(true);
  });

  it('compound: Python operator semantics, implicit "and" before "not", parens as words', () => {
    expect(matchMinion('web* and G@os:Ubuntu', 'compound', me)).toBe(true);
    expect(matchMinion('web* not G@os:Ubuntu', 'compound', me)).toBe(false);
    expect(matchMinion('( db* or web* ) and not S@192.168.0.0/16', 'compound', me)).toBe(true);
    expect(matchMinion('(db* or web*)', 'compound', me)).toBe(false); // "(db*" is a glob word
    expect(matchMinion('and web*', 'compound', me)).toBe(false);
    expect(matchMinion('web* or ( )', 'compound', me)).toBe(true); // () is a falsy tuple
    expect(matchMinion('( web* ) ( db* )', 'compound', me)).toBe(false); // calling a bool raises
    expect(matchMinion('web1.example.com or G@os:Linux', 'compound', me)).toBe(true);
  });

  it('compound: R@ fails the whole target, T@ is false, only-M@ is a pure resource target', () => {
    expect(matchMinion('web* or R@%cluster', 'compound', me)).toBe(false);
    expect(matchMinion('web* and not T@vcf_host', 'compound', me)).toBe(true);
    expect(matchMinion('M@web1.example.com', 'compound', me)).toBe(false);
    expect(matchMinion('M@web1.example.com and web*', 'compound', me)).toBe(true);
  });

  it('nodegroups: N@ in a compound and the nodegroup type expand from the map', () => {
    const nodegroups = { webs: 'web*', both: 'N@webs and G@os:Ubuntu', loop: 'N@loop or web*' };
    expect(matchMinion('N@webs', 'compound', me, { nodegroups })).toBe(true);
    expect(matchMinion('both', 'nodegroup', me, { nodegroups })).toBe(true);
    expect(matchMinion('loop', 'nodegroup', me, { nodegroups })).toBe(false); // "( ( or web* ) )"
    expect(matchMinion('nope', 'nodegroup', me, { nodegroups })).toBe(false);
    expect(matchMinion('webs', 'nodegroup', me)).toBe(false); // no map: Salt's _target_load answer
  });

  it('unknown target types and range are false', () => {
    expect(matchMinion('web*', 'bogus', me)).toBe(false);
    expect(matchMinion('%cluster', 'range', me)).toBe(false);
    expect(matchMinion('web*', 'compound_pillar_exact', me)).toBe(false); // master-only in Salt
  });
});

describe('matchMinion: missing data is undecidable, decided where the rest of the expression allows', () => {
  it('grain and pillar targets without grains/pillar', () => {
    expect(matchMinion('os:Ubuntu', 'grain', noData)).toEqual({ undecidable: "the minion's grains are not known" });
    expect(matchMinion('role:web', 'pillar', noData)).toEqual({ undecidable: "the minion's pillar are not known" });
    expect(matchMinion('10.0.0.0/8', 'ipcidr', noData)).toHaveProperty('undecidable');
  });

  it('an empty pillar is what a Salt minion without pillar has: false', () => {
    expect(matchMinion('role:web', 'pillar', { ...me, pillar: {} })).toBe(false);
  });

  it('compound: decided when every value of the unknown terms gives the same answer', () => {
    expect(matchMinion('web* or I@role:web', 'compound', noData)).toBe(true);
    expect(matchMinion('db* and G@os:Ubuntu', 'compound', noData)).toBe(false);
    expect(matchMinion('web* and G@os:Ubuntu', 'compound', noData)).toHaveProperty('undecidable');
    expect(matchMinion('G@os:Ubuntu or not G@os:Ubuntu', 'compound', noData)).toBe(true); // same term twice
    expect(matchMinion('G@os:Ubuntu or not G@os:Debian', 'compound', noData)).toHaveProperty('undecidable');
    expect(matchMinion('( web* ) ( G@a:b )', 'compound', noData)).toBe(false); // an error either way
  });

  it('more unknown terms than the bound: undecidable without trying them all', () => {
    const terms = Array.from({ length: LIMITS.maxUnknownTerms + 1 }, (_, i) => `G@k${i}:v`).join(' or ');
    expect(matchMinion(`db* and ( ${terms} )`, 'compound', noData)).toHaveProperty('undecidable');
  });
});

describe('matchMinion: hostile input', () => {
  const expectTargetError = (fn: () => unknown, reason: string): void => {
    try {
      fn();
    } catch (err) {
      expect(err).toBeInstanceOf(TargetError);
      expect((err as TargetError).code).toBe('ERR_INVALID_ARGUMENT');
      expect((err as TargetError).reason).toBe(reason);
      return;
    }
    throw new Error('expected a TargetError');
  };

  it('bounds the target length, word count and nesting', () => {
    expectTargetError(() => matchMinion('a'.repeat(LIMITS.maxTargetLength + 1), 'glob', me), 'too-large');
    const many = Array.from({ length: LIMITS.maxCompoundWords + 1 }, () => 'x').join(' or ');
    expectTargetError(() => matchMinion(many, 'compound', me), 'too-large');
    const deep = `${'( '.repeat(LIMITS.maxNestingDepth + 1)}web*${' )'.repeat(LIMITS.maxNestingDepth + 1)}`;
    expectTargetError(() => matchMinion(deep, 'compound', me), 'too-large');
    expect(matchMinion(`${'( '.repeat(10)}web*${' )'.repeat(10)}`, 'compound', me)).toBe(true);
  });

  it('bounds nodegroup depth and expansion size', () => {
    const chain: Record<string, string> = {};
    for (let i = 0; i < LIMITS.maxNodegroupDepth + 2; i++) chain[`g${i}`] = `N@g${i + 1} or x${i}`;
    expectTargetError(() => matchMinion('N@g0', 'compound', me, { nodegroups: chain }), 'too-large');
    const blow: Record<string, string> = { g20: 'a or b' };
    for (let i = 0; i < 20; i++) blow[`g${i}`] = `N@g${i + 1} or N@g${i + 1}`;
    expectTargetError(() => matchMinion('N@g0', 'compound', me, { nodegroups: blow }), 'too-large');
  });

  it('an invalid pcre raises as in Salt; in a grain regex it is false', () => {
    expectTargetError(() => matchMinion('web(', 'pcre', me), 'invalid');
    expectTargetError(() => matchMinion('E@( or web*', 'compound', me), 'invalid');
    expect(matchMinion('os:(', 'grain_pcre', me)).toBe(false);
    expectTargetError(() => matchMinion('x'.repeat(LIMITS.maxPatternLength + 1), 'pcre', me), 'too-large');
  });

  it('Python-only regex features are refused, not mistranslated', () => {
    expectTargetError(() => matchMinion('(?>web)', 'pcre', me), 'unsupported');
    expectTargetError(() => matchMinion('(?i:WEB)', 'pcre', me), 'unsupported');
  });
});

describe('translatePyRegex keeps Python semantics', () => {
  const m = (p: string, s: string): boolean => {
    const { source, flags } = translatePyRegex(p);
    const re = new RegExp(source, flags);
    return re.test(s);
  };
  it('$ also matches before a final newline, \\Z only at the end, . excludes only \\n', () => {
    expect(m('web$', 'web\n')).toBe(true);
    expect(m('web\\Z', 'web\n')).toBe(false);
    expect(m('a.b', 'a\rb')).toBe(true);
    expect(m('a.b', 'a\nb')).toBe(false);
  });
  it('(?P<name>...), (?P=name), {,n} and literal braces', () => {
    expect(m('(?P<x>a)(?P=x)', 'aa')).toBe(true);
    expect(m('a{,2}$', 'aa')).toBe(true);
    expect(m('x{a}', 'x{a}')).toBe(true);
  });
  it('\\d and \\w are Unicode-aware unless (?a)', () => {
    expect(m('\\d', '٣')).toBe(true);
    expect(m('(?a)\\d', '٣')).toBe(false);
    expect(m('\\w+$', 'ünï')).toBe(true);
  });
});
