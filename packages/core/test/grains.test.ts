/**
 * Grains against Salt: fixtures/grains/salt-3008-grains-items.json is `salt-call --local
 * grains.items` of a real salt-minion 3008.4; salt-3008-logic.json is Salt's own grain code run
 * on sample inputs (gen_grains_fixture.py). Regenerate with fixtures/grains/regenerate.sh.
 */
import { readFileSync } from 'node:fs';
import { cpus, hostname, machine, release } from 'node:os';
import { describe, expect, it } from 'vitest';
import { collectGrains, deepUpdate, serverId } from '../src/node/grains/index.js';
import { parseCpuinfo, parseMeminfo } from '../src/node/grains/hardware.js';
import { formatIp, ipValue, parseResolv } from '../src/node/grains/network.js';
import { deriveOsGrain, distributionGrains, osreleaseData, parseOsRelease } from '../src/node/grains/osrelease.js';
import { localeInfo, parseKernelparams, shlexSplit } from '../src/node/grains/system.js';

const fixture = (name: string): any =>
  JSON.parse(readFileSync(new URL(`./fixtures/grains/${name}`, import.meta.url), 'utf8'));

const saltItems: Record<string, unknown> = fixture('salt-3008-grains-items.json').local;
const logic = fixture('salt-3008-logic.json');

/** Salt grains Brine deliberately does not produce (Salt's Python runtime). */
const NOT_PRODUCED = ['ca_truststore', 'pythonexecutable', 'pythonpath', 'pythonversion', 'saltpath', 'zmqversion'];

/**
 * Grains both Salt and Brine produce only on some hosts (present when the hardware, file or
 * tool is there), with their JSON types: a host may lack them, or have them where the fixture
 * host did not.
 */
const CONDITIONAL: Record<string, string> = {
  biosversion: 'string',
  biosvendor: 'string',
  boardname: 'string',
  productname: 'string',
  manufacturer: 'string',
  serialnumber: 'string',
  biosreleasedate: 'string',
  uuid: 'string',
  virtual_subtype: 'string',
  virtual_hv_version: 'string',
  virtual_hv_version_info: 'array',
  selinux: 'object',
  systemd: 'object',
  mdadm: 'array',
  machine_id: 'string',
  dns: 'object',
  ip_gw: 'boolean',
  ip4_gw: 'string|boolean',
  ip6_gw: 'string|boolean',
  kernelparams: 'array',
  osrelease_info: 'array',
  osmajorrelease: 'number',
  osfinger: 'string',
  append_domain: 'string',
};

const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

describe('collectGrains on this host', () => {
  it('every grain has the name and JSON type a salt-minion 3008 reports', async () => {
    const ours = await collectGrains({ id: 'fixture-minion' });
    const problems: string[] = [];
    for (const [key, value] of Object.entries(ours)) {
      if (key in saltItems) {
        const want = jsonType(saltItems[key]);
        const cond = CONDITIONAL[key];
        const okTypes = cond ? cond.split('|') : [want];
        if (!okTypes.includes(jsonType(value)) && jsonType(value) !== want)
          problems.push(`${key}: ${jsonType(value)} != ${want}`);
      } else if (!(key in CONDITIONAL)) {
        problems.push(`${key}: not a grain Salt reported`);
      } else if (!CONDITIONAL[key]!.split('|').includes(jsonType(value))) {
        problems.push(`${key}: ${jsonType(value)} != ${CONDITIONAL[key]}`);
      }
    }
    for (const key of Object.keys(saltItems)) {
      if (!(key in ours) && !NOT_PRODUCED.includes(key) && !(key in CONDITIONAL)) problems.push(`${key}: missing`);
    }
    expect(problems).toEqual([]);
    // Deliberately-not-produced grains are really absent.
    for (const key of NOT_PRODUCED) expect(ours).not.toHaveProperty(key);
    expect(ours['id']).toBe('fixture-minion');
    expect(ours['server_id']).toBe(saltItems['server_id']); // same id, same sha256 rule
    expect(ours['kernel']).toBe('Linux');
  });

  it('host values come from the same sources Salt reads (computed here, not recorded on another machine)', async () => {
    const ours = await collectGrains({ id: 'values-minion' });
    expect(ours['kernelrelease']).toBe(release());
    expect(ours['cpuarch']).toBe(machine());
    expect(ours['nodename']).toBe(hostname());
    expect(ours['num_cpus']).toBe(cpus().length);
    expect(ours['mem_total']).toBe(
      Math.floor(Number(/^MemTotal:\s+(\d+)/m.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0) / 1024),
    );
  });

  it('nested grains have Salt shapes (interfaces map to address lists, locale_info strings)', async () => {
    const ours = await collectGrains();
    for (const k of ['ip_interfaces', 'ip4_interfaces', 'ip6_interfaces']) {
      for (const list of Object.values(ours[k] as Record<string, unknown>)) {
        expect(Array.isArray(list)).toBe(true);
        for (const a of list as unknown[]) expect(typeof a).toBe('string');
      }
    }
    expect(Object.keys(ours['locale_info'] as object).sort()).toEqual(
      Object.keys(saltItems['locale_info'] as object).sort(),
    );
    expect((ours['ipv4'] as string[]).includes('127.0.0.1')).toBe(true);
  });

  it('is cached: a second call does not recompute and returns an independent copy', async () => {
    const a = await collectGrains();
    (a['ipv4'] as string[]).push('mutated');
    const t0 = performance.now();
    const b = await collectGrains();
    const elapsed = performance.now() - t0;
    expect(b['ipv4']).not.toContain('mutated');
    expect(elapsed).toBeLessThan(50);
  });

  it('static grains override core grains (shallow by default, deep with deepMerge), file grains below config', async () => {
    const shallow = await collectGrains({
      fileGrains: { roles: ['file'], os: 'FromFile' },
      static: { roles: ['web'], locale_info: { timezone: 'X' } },
    });
    expect(shallow['roles']).toEqual(['web']);
    expect(shallow['os']).toBe('FromFile');
    expect(shallow['locale_info']).toEqual({ timezone: 'X' });
    const deep = await collectGrains({ static: { locale_info: { timezone: 'X' } }, deepMerge: true });
    expect((deep['locale_info'] as Record<string, string>)['timezone']).toBe('X');
    expect(deep['locale_info']).toHaveProperty('defaultencoding');
  });
});

describe('grain logic = Salt 3008 on sample inputs', () => {
  it('distribution grains (os, os_family, osrelease, oscodename, lsb_distrib_*, osfinger)', () => {
    for (const [name, c] of Object.entries<any>(logic.distributions)) {
      const g = distributionGrains(c.lsb ?? undefined, c.osRelease, c.debianVersion ?? undefined);
      if (typeof g['osrelease'] === 'string' && g['osrelease'] !== '') {
        Object.assign(g, osreleaseData(String(g['os']), String(g['osfullname']), g['osrelease']));
      }
      expect(g, name).toEqual(c.grains);
    }
  });

  it('os-release parsing (quotes and escapes) matches platform.freedesktop_os_release', () => {
    for (const [name, c] of Object.entries<any>(logic.distributions)) {
      // The fixture's osRelease is Python's parse of the sample; re-create its text form.
      const text = Object.entries<string>(c.osRelease)
        .map(([k, v]) => `${k}="${v.replace(/(["\\$`])/g, '\\$1')}"`)
        .join('\n');
      expect(parseOsRelease(text), name).toEqual(c.osRelease);
    }
  });

  it('_derive_os_grain and _osrelease_data', () => {
    for (const [full, id, want] of logic.deriveOs) expect(deriveOsGrain(full, id ?? undefined), full).toBe(want);
    for (const [os, full, rel, want] of logic.osreleaseData) expect(osreleaseData(os, full, rel), rel).toEqual(want);
  });

  it('resolv.conf, cpuinfo, meminfo, kernelparams, server_id', () => {
    for (const [text, want] of logic.resolv) expect(parseResolv(text)).toEqual(want);
    for (const [text, want] of logic.cpuinfo) expect(parseCpuinfo(text === '' ? undefined : text)).toEqual(want);
    for (const [text, want] of logic.meminfo) expect(parseMeminfo(text)).toEqual(want);
    for (const [text, want] of logic.kernelparams) expect({ kernelparams: parseKernelparams(text) }).toEqual(want);
    for (const [id, want] of logic.serverId) expect(serverId(id), id).toBe(want);
  });
});

describe('grain helpers', () => {
  it('IPv6 addresses print as Python 3.11 ipaddress does', () => {
    const p = (s: string): string => {
      const v = ipValue(s)!;
      return formatIp(v.version, v.value);
    };
    expect(p('2001:db8:0:0:1:0:0:1')).toBe('2001:db8::1:0:0:1');
    expect(p('::ffff:10.0.0.5')).toBe('::ffff:a00:5');
    expect(p('1:0:0:2:0:0:0:3')).toBe('1:0:0:2::3');
    expect(p('0:0:0:0:0:0:0:1')).toBe('::1');
    expect(p('1:0:1:0:1:0:1:0')).toBe('1:0:1:0:1:0:1:0');
  });

  it('locale_info follows LC_ALL/LC_CTYPE/LANG, C and POSIX read as en_US.UTF-8', () => {
    expect(localeInfo({ LANG: 'C.UTF-8' })).toMatchObject({ defaultlanguage: 'en_US', defaultencoding: 'UTF-8' });
    expect(localeInfo({ LANG: 'de_DE.utf8' })).toMatchObject({ defaultlanguage: 'de_DE', defaultencoding: 'UTF-8' });
    expect(localeInfo({ LC_ALL: 'fr_FR.UTF-8', LANG: 'de_DE.utf8' })).toMatchObject({ defaultlanguage: 'fr_FR' });
    expect(localeInfo({})).toMatchObject({ defaultlanguage: 'en_US', detectedencoding: 'utf-8' });
  });

  it('shlex.split quoting', () => {
    expect(shlexSplit(`a "b c" 'd e' f\\ g h"i"j`)).toEqual(['a', 'b c', 'd e', 'f g', 'hij']);
  });

  it('deepUpdate merges dicts recursively and replaces lists', () => {
    expect(deepUpdate({ a: { b: 1, c: [1] } }, { a: { c: [2], d: 3 } })).toEqual({ a: { b: 1, c: [2], d: 3 } });
  });
});
