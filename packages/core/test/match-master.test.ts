import { describe, expect, it } from 'vitest';
import { LIMITS, TargetError, selectMinions, type MinionRecord } from '../src/match/index.js';

const index: MinionRecord[] = [
  { id: 'web1', grains: { os: 'Ubuntu', ipv4: ['10.0.0.5'] }, pillar: { role: 'web' } },
  { id: 'web2', grains: { os: 'CentOS', ipv4: ['10.0.1.5'] } },
  { id: 'db1', grains: { os: 'Ubuntu', ipv4: ['10.0.0.9'] }, pillar: { role: 'db' } },
  { id: 'fresh' }, // accepted, nothing cached yet
];
const sel = (tgt: string | string[], type: string, opts = {}): string[] =>
  selectMinions(tgt, type, index, opts).minions.sort();

describe('selectMinions', () => {
  it('glob, pcre and list over the known ids', () => {
    expect(sel('web*', 'glob')).toEqual(['web1', 'web2']);
    expect(sel('web\\d$', 'pcre')).toEqual(['web1', 'web2']);
    expect(selectMinions('web1,ghost', 'list', index)).toEqual({ minions: ['web1'], missing: ['ghost'] });
  });

  it('grain targets: only minions whose cached grains match (3008); 3007.13 also takes uncached ones', () => {
    expect(sel('os:Ubuntu', 'grain')).toEqual(['db1', 'web1']);
    expect(sel('os:Ubuntu', 'grain', { cacheMissing: 'include' })).toEqual(['db1', 'fresh', 'web1']);
    expect(sel('role:web', 'pillar')).toEqual(['web1']);
    expect(sel('os;Ubuntu', 'grain', { delimiter: ';' })).toEqual(['db1', 'web1']);
  });

  it('ipcidr keeps minions whose grains are unknown (greedy, every Salt version)', () => {
    expect(sel('10.0.0.0/24', 'ipcidr')).toEqual(['db1', 'fresh', 'web1']);
    expect(sel('not-an-ip', 'ipcidr')).toEqual([]);
  });

  it('compound: set algebra, not = all minus, unknown minions drop out of grain terms', () => {
    expect(sel('web* and G@os:Ubuntu', 'compound')).toEqual(['web1']);
    expect(sel('not G@os:Ubuntu', 'compound')).toEqual(['fresh', 'web2']);
    expect(sel('web2 or I@role:db', 'compound')).toEqual(['db1', 'web2']);
    expect(sel('( web*', 'compound')).toEqual(['web1', 'web2']); // Salt closes open parens
    expect(sel('web* db*', 'compound')).toEqual([]); // syntax error: nobody
    expect(sel('R@%cluster or web1', 'compound')).toEqual([]);
    expect(selectMinions('L@web1,ghost or db1', 'compound', index).missing).toEqual(['ghost']);
    expect(selectMinions('db1 and not L@ghost', 'compound', index).missing).toEqual([]);
  });

  it('nodegroups expand, nested', () => {
    const nodegroups = { webs: 'web*', ubuntu_webs: 'N@webs and G@os:Ubuntu' };
    expect(sel('ubuntu_webs', 'nodegroup', { nodegroups })).toEqual(['web1']);
    expect(sel('N@webs or db1', 'compound', { nodegroups })).toEqual(['db1', 'web1', 'web2']);
  });

  it('an invalid regex selects nobody (Salt logs and returns [])', () => {
    expect(sel('web(', 'pcre')).toEqual([]);
    expect(sel('E@( or web1', 'compound')).toEqual([]);
  });

  it('keeps the index order', () => {
    expect(selectMinions('*', 'glob', index).minions).toEqual(['web1', 'web2', 'db1', 'fresh']);
  });

  it('refuses targets over the bounds', () => {
    expect(() => selectMinions('x'.repeat(LIMITS.maxTargetLength + 1), 'glob', index)).toThrow(TargetError);
    const deep = `${'( '.repeat(LIMITS.maxNestingDepth + 2)}web1`;
    expect(() => selectMinions(deep, 'compound', index)).toThrow(/nests deeper/);
  });
});
