/**
 * @packageDocumentation
 * The core grains a salt-minion 3008 reports on Linux, computed without Python: node:os,
 * /etc/os-release, /proc, /sys, /etc (and the few cheap commands Salt itself runs:
 * systemd-detect-virt or virt-what, `systemctl --version`, `dpkg --print-architecture` or
 * `rpm --eval %{_host_cpu}`), then static grains merged over them as salt.loader.grains does:
 * core grains < other grain modules < the `grains` file next to the config < the config's
 * `grains:` option (a shallow update unless `deepMerge`, Salt's grains_deep_merge).
 *
 * Self-contained: imports only node: builtins. Core grains are computed once per process
 * (pass `refresh: true` to recompute, as saltutil.refresh_grains does).
 *
 * Deliberately not produced (they describe Salt's Python runtime, or need root/slow tools):
 * pythonexecutable, pythonpath, pythonversion, saltpath, zmqversion, ca_truststore, lvm.
 */
import { createHash } from 'node:crypto';
import { machine, release, version as osVersion, hostname } from 'node:os';
import {
  devicetreeGrains,
  diskGrains,
  dmiGrains,
  gpuGrains,
  parseCpuinfo,
  parseMeminfo,
  uefiGrains,
} from './hardware.js';
import {
  dnsGrains,
  fqdnIpGrains,
  fqdnsGrain,
  gatewayGrains,
  hostnameGrains,
  interfaceGrains,
  nonLoopback,
  readInterfaces,
} from './network.js';
import { dpkgArchFor, linuxDistributionGrains, osreleaseData } from './osrelease.js';
import {
  initGrain,
  kernelparamsGrain,
  localeInfo,
  machineIdGrain,
  mdadmGrain,
  miscGrains,
  processGrains,
  selinuxGrains,
  systemdGrains,
  virtualGrains,
} from './system.js';
import { readText, run, which } from './util.js';

export type Grains = Record<string, unknown>;

export interface CollectGrainsOptions {
  /** The config's `grains:` option (highest precedence). */
  readonly static?: Grains;
  /** The contents of the `grains` file next to the minion config (below `static`). */
  readonly fileGrains?: Grains;
  /** Salt's grains_deep_merge: merge nested dicts instead of replacing them. */
  readonly deepMerge?: boolean;
  /** The minion id (the `id` grain and server_id); default: the fqdn grain. */
  readonly id?: string;
  /** The `master` option (the `master` grain), default 'salt'. */
  readonly master?: string | readonly string[];
  /** The Salt version to report as saltversion/saltversioninfo, default '3008.4'. */
  readonly saltversion?: string;
  /** Salt's enable_fqdns_grains (reverse lookups of every address), default true. */
  readonly fqdns?: boolean;
  /** Timeout of each name lookup, ms (default 2000). */
  readonly lookupTimeoutMs?: number;
  /** `append_domain` option, reported as a grain when set. */
  readonly appendDomain?: string;
  /** Recompute the core grains instead of using the cached ones. */
  readonly refresh?: boolean;
}

export const DEFAULT_SALT_VERSION = '3008.4';

interface CoreKey {
  fqdns: boolean;
  timeout: number;
}

let cache: { key: string; value: Promise<Grains> } | undefined;

/** server_id: sha256(id) as an integer, mod 2**31. */
export function serverId(id: string): number {
  const hex = createHash('sha256').update(id, 'utf8').digest('hex');
  return Number(BigInt(`0x${hex}`) % 2n ** 31n);
}

async function osarch(osFamily: unknown, cpuarch: string): Promise<string> {
  if (osFamily === 'Debian') {
    const dpkg = await which('dpkg');
    const res = dpkg === undefined ? undefined : await run(dpkg, ['--print-architecture'], 3000);
    return res !== undefined && res.code === 0 && res.stdout.trim() !== '' ? res.stdout.trim() : dpkgArchFor(cpuarch);
  }
  if (osFamily === 'RedHat' || osFamily === 'Suse') {
    const rpm = await which('rpm');
    const res = rpm === undefined ? undefined : await run(rpm, ['--eval', '%{_host_cpu}'], 3000);
    return (res?.stdout.trim() || cpuarch) ?? 'unknown';
  }
  return cpuarch;
}

function psGrain(g: Grains): string {
  if (['FreeBSD', 'NetBSD', 'OpenBSD', 'MacOS'].includes(String(g['os']))) return 'ps auxwww';
  if (g['virtual'] === 'openvzhn') {
    return (
      'ps -fH -p $(grep -l "^envID:[[:space:]]*0\\$" ' +
      '/proc/[0-9]*/status | sed -e "s=/proc/\\([0-9]*\\)/.*=\\1=")  ' +
      '| awk \'{ $7=""; print }\''
    );
  }
  if (g['os_family'] === 'NILinuxRT') return 'ps -o user,pid,ppid,tty,time,comm';
  return 'ps -efHww';
}

/** The host's core grains (no id/master/saltversion/static merge). */
async function computeCore(k: CoreKey): Promise<Grains> {
  const g: Grains = { num_gpus: 0, gpus: [] };
  g['kernel'] = 'Linux';
  g['nodename'] = hostname();
  g['kernelrelease'] = release();
  g['kernelversion'] = osVersion();
  g['cpuarch'] = machine();
  Object.assign(g, await selinuxGrains(), await systemdGrains());
  g['init'] = await initGrain();
  Object.assign(g, await linuxDistributionGrains());
  Object.assign(g, parseCpuinfo(await readText('/proc/cpuinfo')));
  Object.assign(g, await gpuGrains(), await devicetreeGrains());
  g['osarch'] = await osarch(g['os_family'], String(g['cpuarch']));
  Object.assign(g, parseMeminfo(await readText('/proc/meminfo')));
  Object.assign(g, await dmiGrains());
  Object.assign(g, await virtualGrains());
  g['ps'] = psGrain(g);
  if (typeof g['osrelease'] === 'string' && g['osrelease'] !== '') {
    Object.assign(g, osreleaseData(String(g['os']), String(g['osfullname']), g['osrelease']));
  }
  g['locale_info'] = localeInfo();
  const names = await hostnameGrains(k.timeout);
  Object.assign(g, names);
  const ifaces = await readInterfaces();
  const net = interfaceGrains(ifaces);
  g['fqdns'] = k.fqdns ? await fqdnsGrain(nonLoopback(ifaces), k.timeout) : [];
  g['ipv4'] = net['ipv4'];
  g['ipv6'] = net['ipv6'];
  Object.assign(
    g,
    await fqdnIpGrains(
      names.fqdn!,
      (net['ipv4'] as string[]).length > 0,
      (net['ipv6'] as string[]).length > 0,
      k.timeout,
    ),
  );
  g['ip_interfaces'] = net['ip_interfaces'];
  g['ip4_interfaces'] = net['ip4_interfaces'];
  g['ip6_interfaces'] = net['ip6_interfaces'];
  g['hwaddr_interfaces'] = net['hwaddr_interfaces'];
  Object.assign(g, await dnsGrains(), await machineIdGrain());
  Object.assign(g, await gatewayGrains(), await kernelparamsGrain(), await miscGrains());
  Object.assign(g, await diskGrains(), await uefiGrains(), await mdadmGrain());
  g['package'] = null; // salt.utils.package.pkg_type(): not an onedir/system Salt package
  return g;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** salt.utils.dictupdate.update (recursive merge of dicts; other values replaced). */
export function deepUpdate(dest: Grains, upd: Grains): Grains {
  for (const [k, v] of Object.entries(upd)) {
    const cur = dest[k];
    if (isPlainObject(cur) && isPlainObject(v)) dest[k] = deepUpdate({ ...cur }, v);
    else dest[k] = v;
  }
  return dest;
}

/** The grains a salt-minion 3008 would report on this host (see the module comment). */
export async function collectGrains(options: CollectGrainsOptions = {}): Promise<Grains> {
  const key: CoreKey = { fqdns: options.fqdns ?? true, timeout: options.lookupTimeoutMs ?? 2000 };
  const cacheKey = JSON.stringify(key);
  if (options.refresh || cache === undefined || cache.key !== cacheKey) {
    const value = computeCore(key);
    cache = { key: cacheKey, value };
    value.catch(() => {
      if (cache?.value === value) cache = undefined;
    });
  }
  const core = structuredClone(await cache.value);
  // Per-process and per-config grains (cheap, never cached).
  Object.assign(core, await processGrains());
  const id = options.id ?? String(core['fqdn']);
  const saltversion = options.saltversion ?? DEFAULT_SALT_VERSION;
  core['id'] = id;
  core['server_id'] = serverId(id);
  core['master'] = options.master ?? 'salt';
  core['saltversion'] = saltversion;
  core['saltversioninfo'] = saltversion
    .split(/[.+-]/)
    .filter((p) => /^[0-9]+$/.test(p))
    .map(Number);
  if (options.appendDomain !== undefined) core['append_domain'] = options.appendDomain;
  const merge = options.deepMerge ? deepUpdate : (a: Grains, b: Grains): Grains => Object.assign(a, b);
  if (options.fileGrains) merge(core, structuredClone(options.fileGrains));
  if (options.static) merge(core, structuredClone(options.static));
  return core;
}
