/**
 * Network grains as salt/grains/core.py computes them: ip_interfaces, ip4_interfaces,
 * ip6_interfaces, hwaddr_interfaces (Salt parses `ip link show` + `ip addr show`; here every
 * interface of /sys/class/net in ifindex order, with node:os addresses and the sysfs MAC),
 * ipv4/ipv6 (deduplicated, sorted by address, printed as Python's ipaddress does), the
 * default gateways (Salt runs `ip -4/-6 route show`; here /proc/net/route and ipv6_route),
 * dns (salt.utils.dns.parse_resolv), hostname/fqdn/host/domain/localhost, fqdn_ip4/fqdn_ip6
 * and fqdns (reverse lookups of every non-loopback address).
 *
 * Known differences: node:os does not say which IPv4 addresses are "secondary", so they are
 * listed in kernel order rather than after the primaries; the fqdn is the canonical name from
 * /etc/hosts, else a forward+reverse lookup, else the hostname (Python asks getaddrinfo for
 * AI_CANONNAME, which node:dns does not expose).
 */
import { promises as dnsp } from 'node:dns';
import { hostname as osHostname, networkInterfaces } from 'node:os';
import { isIP } from 'node:net';
import { exists, listDir, readText } from './util.js';

// ------------------------------------------------------------------ addresses

/** IPv4/IPv6 text to a number (BigInt), or undefined. */
export function ipValue(addr: string): { version: 4 | 6; value: bigint } | undefined {
  const bare = addr.split('%')[0]!;
  const v = isIP(bare);
  if (v === 4) {
    return { version: 4, value: bare.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n) };
  }
  if (v !== 6) return undefined;
  let head = bare;
  let tailV4: string | undefined;
  const lastColon = bare.lastIndexOf(':');
  if (bare.slice(lastColon + 1).includes('.')) {
    tailV4 = bare.slice(lastColon + 1);
    head = bare.slice(0, lastColon + 1) + '0:0';
  }
  const [left, right] = head.includes('::') ? head.split('::') : [head, undefined];
  const l = left ? left.split(':') : [];
  const r = right === undefined ? [] : right ? right.split(':') : [];
  const fill = right === undefined ? [] : Array(8 - l.length - r.length).fill('0');
  const hextets = [...l, ...fill, ...r].map((h) => BigInt(`0x${h || '0'}`));
  let value = hextets.reduce((acc, h) => (acc << 16n) | h, 0n);
  if (tailV4 !== undefined) {
    const v4 = tailV4.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);
    value = (value & ~0xffffffffn) | v4;
  }
  return { version: 6, value };
}

/** str(ipaddress.ip_address(...)) for a value (CPython 3.11 compression). */
export function formatIp(version: 4 | 6, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((s) => ((value >> s) & 0xffn).toString()).join('.');
  const hex: string[] = [];
  for (let i = 7; i >= 0; i--) hex.push(((value >> BigInt(16 * i)) & 0xffffn).toString(16));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (hex[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && hex[j] === '0') j++;
    if (j - i > bestLen) {
      bestLen = j - i;
      bestStart = i;
    }
    i = j;
  }
  if (bestLen <= 1) return hex.join(':');
  const left = hex.slice(0, bestStart).join(':');
  const right = hex.slice(bestStart + bestLen).join(':');
  return `${left}::${right}`;
}

const isLoopback = (version: 4 | 6, value: bigint): boolean => (version === 4 ? value >> 24n === 127n : value === 1n);

// ------------------------------------------------------------------ interfaces

export interface InterfaceData {
  readonly name: string;
  readonly inet: string[];
  readonly inet6: string[];
  readonly hwaddr?: string;
}

/** Every interface (ifindex order) with its addresses and MAC. */
export async function readInterfaces(): Promise<InterfaceData[]> {
  const addrs = networkInterfaces();
  const names = new Set<string>(await listDir('/sys/class/net'));
  for (const n of Object.keys(addrs)) names.add(n.split(':')[0]!);
  const rows: Array<InterfaceData & { index: number }> = [];
  for (const name of names) {
    const index = Number.parseInt((await readText(`/sys/class/net/${name}/ifindex`)) ?? '', 10);
    const type = (await readText(`/sys/class/net/${name}/type`))?.trim();
    const mac = (await readText(`/sys/class/net/${name}/address`))?.trim();
    const inet: string[] = [];
    const inet6: string[] = [];
    for (const [label, list] of Object.entries(addrs)) {
      if (label !== name && label.split(':')[0] !== name) continue;
      for (const a of list ?? []) {
        if (a.family === 'IPv4') inet.push(a.address);
        else inet6.push(a.address.split('%')[0]!);
      }
    }
    const row: InterfaceData & { index: number } = {
      name,
      index: Number.isFinite(index) ? index : Number.MAX_SAFE_INTEGER,
      inet,
      inet6,
      // `ip link` prints no address for link/none (type 65534) devices.
      ...(mac !== undefined && mac !== '' && type !== '65534' ? { hwaddr: mac } : {}),
    };
    rows.push(row);
  }
  rows.sort((a, b) => a.index - b.index || (a.name < b.name ? -1 : 1));
  return rows.map(({ index: _index, ...rest }) => rest);
}

function sortedAddrs(list: readonly string[], version: 4 | 6): string[] {
  const seen = new Map<bigint, string>();
  for (const a of list) {
    const v = ipValue(a);
    if (v === undefined || v.version !== version) continue;
    seen.set(v.value, formatIp(version, v.value));
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
}

export function interfaceGrains(ifaces: readonly InterfaceData[]): Record<string, unknown> {
  const ip: Record<string, string[]> = {};
  const ip4: Record<string, string[]> = {};
  const ip6: Record<string, string[]> = {};
  const hw: Record<string, string> = {};
  for (const f of ifaces) {
    ip[f.name] = [...f.inet, ...f.inet6];
    ip4[f.name] = [...f.inet];
    ip6[f.name] = [...f.inet6];
    if (f.hwaddr !== undefined) hw[f.name] = f.hwaddr;
  }
  return {
    ip_interfaces: ip,
    ip4_interfaces: ip4,
    ip6_interfaces: ip6,
    hwaddr_interfaces: hw,
    ipv4: sortedAddrs(
      ifaces.flatMap((f) => f.inet),
      4,
    ),
    ipv6: sortedAddrs(
      ifaces.flatMap((f) => f.inet6),
      6,
    ),
  };
}

/** Non-loopback addresses, as network.fqdns enumerates them. */
export function nonLoopback(ifaces: readonly InterfaceData[]): string[] {
  const out: string[] = [];
  for (const version of [4, 6] as const) {
    for (const a of sortedAddrs(
      ifaces.flatMap((f) => (version === 4 ? f.inet : f.inet6)),
      version,
    )) {
      const v = ipValue(a)!;
      if (!isLoopback(version, v.value)) out.push(a);
    }
  }
  return out;
}

// ------------------------------------------------------------------ gateways

/** default_gateway from /proc/net/route and /proc/net/ipv6_route. */
export async function gatewayGrains(): Promise<Record<string, unknown>> {
  const v4 = await readText('/proc/net/route');
  const v6 = await readText('/proc/net/ipv6_route');
  if (v4 === undefined && v6 === undefined) return {};
  let ip4: string | boolean = false;
  let ip6: string | boolean = false;
  for (const line of (v4 ?? '').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 8 || cols[1] !== '00000000' || cols[7] !== '00000000') continue;
    const gw = Number.parseInt(cols[2]!, 16);
    ip4 = gw === 0 ? true : [0, 8, 16, 24].map((s) => (gw >>> s) & 0xff).join('.');
    break;
  }
  for (const line of (v6 ?? '').split('\n')) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || !/^0{32}$/.test(cols[0]!) || cols[1] !== '00') continue;
    const flags = Number.parseInt(cols[8]!, 16);
    if (flags & 0x0200) continue; // RTF_REJECT (unreachable/prohibit)
    const nh = BigInt(`0x${cols[4]}`);
    ip6 = nh === 0n ? true : formatIp(6, nh);
    break;
  }
  return { ip_gw: ip4 !== false || ip6 !== false, ip4_gw: ip4, ip6_gw: ip6 };
}

// ------------------------------------------------------------------ resolver

/** salt.utils.dns.parse_resolv (sortlist entries kept as written when valid). */
export function parseResolv(text: string): Record<string, unknown> {
  const nameservers: string[] = [];
  const ip4: string[] = [];
  const ip6: string[] = [];
  let search: string[] = [];
  const sortlist: string[] = [];
  let domain = '';
  const options: string[] = [];
  for (const raw of text.split('\n')) {
    const words = raw.trim().split(/\s+/).filter(Boolean);
    if (words.length === 0) continue;
    const directive = words[0]!.toLowerCase();
    const arg: string[] = [];
    for (const w of words.slice(1)) {
      if (w[0] === '#' || w[0] === ';') break;
      arg.push(w);
    }
    if (directive === 'nameserver' && arg[0] !== undefined) {
      const v = ipValue(arg[0]);
      const scope = arg[0].includes('%') ? arg[0].slice(arg[0].indexOf('%')) : '';
      if (v === undefined || (scope !== '' && (v.version === 4 || scope.length < 2))) continue;
      const s = formatIp(v.version, v.value) + scope;
      if (!nameservers.includes(s)) nameservers.push(s);
      const list = v.version === 4 ? ip4 : ip6;
      if (!list.includes(s)) list.push(s);
    } else if (directive === 'domain' && arg[0] !== undefined) {
      domain = arg[0];
    } else if (directive === 'search') {
      search = arg;
    } else if (directive === 'sortlist') {
      for (const s of arg) if (!sortlist.includes(s)) sortlist.push(s);
    } else if (directive === 'options' && arg[0] !== undefined) {
      if (!options.includes(arg[0])) options.push(arg[0]);
    }
  }
  return { nameservers, ip4_nameservers: ip4, ip6_nameservers: ip6, sortlist, domain, search, options };
}

export async function dnsGrains(): Promise<Record<string, unknown>> {
  const file = (await exists('/run/systemd/resolve/resolv.conf'))
    ? '/run/systemd/resolve/resolv.conf'
    : '/etc/resolv.conf';
  const text = await readText(file);
  return text === undefined ? {} : { dns: parseResolv(text) };
}

// ------------------------------------------------------------------ names

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(undefined), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(undefined);
      },
    );
  });
}

/** The canonical (first) name of the /etc/hosts line that lists `name`. */
function hostsCanonical(hosts: string, name: string): string | undefined {
  for (const raw of hosts.split('\n')) {
    const words = raw.split('#')[0]!.trim().split(/\s+/).filter(Boolean);
    if (words.length >= 2 && words.slice(1).includes(name)) return words[1];
  }
  return undefined;
}

/** socket.getfqdn(name): the first of the reverse name and its aliases holding a dot. */
async function getfqdn(name: string, timeoutMs: number): Promise<string> {
  const looked = await withTimeout(dnsp.lookup(name), timeoutMs);
  if (looked === undefined) return name;
  const rev = await withTimeout(dnsp.lookupService(looked.address, 0), timeoutMs);
  if (rev === undefined) return name;
  return rev.hostname.includes('.') ? rev.hostname : rev.hostname || name;
}

/** hostname(): localhost, fqdn, host, domain. */
export async function hostnameGrains(timeoutMs: number): Promise<Record<string, string>> {
  const localhost = osHostname();
  const hosts = (await readText('/etc/hosts')) ?? '';
  let fqdn = hostsCanonical(hosts, localhost);
  if (fqdn === undefined) fqdn = localhost.includes('.') ? localhost : await getfqdn(localhost, timeoutMs);
  if (!fqdn) fqdn = 'localhost.localdomain';
  const dot = fqdn.indexOf('.');
  return {
    localhost,
    fqdn,
    host: dot < 0 ? fqdn : fqdn.slice(0, dot),
    domain: dot < 0 ? '' : fqdn.slice(dot + 1),
  };
}

/** ip_fqdn's fqdn_ip4 / fqdn_ip6 (empty when the host has no address of that family). */
export async function fqdnIpGrains(
  fqdn: string,
  hasV4: boolean,
  hasV6: boolean,
  timeoutMs: number,
): Promise<Record<string, string[]>> {
  const one = async (family: 4 | 6, has: boolean): Promise<string[]> => {
    if (!has) return [];
    const res = await withTimeout(dnsp.lookup(fqdn, { family, all: true }), timeoutMs);
    return [...new Set((res ?? []).map((r) => r.address.split('%')[0]!))];
  };
  const [v4, v6] = await Promise.all([one(4, hasV4), one(6, hasV6)]);
  return { fqdn_ip4: v4, fqdn_ip6: v6 };
}

/** network.fqdns: reverse lookups of every non-loopback address, then getfqdn, sorted. */
export async function fqdnsGrain(addresses: readonly string[], timeoutMs: number): Promise<string[]> {
  const names = await Promise.all(
    addresses.map(async (a) => {
      const rev = await withTimeout(dnsp.lookupService(a, 0), timeoutMs);
      if (rev === undefined || rev.hostname === '' || isIP(rev.hostname) !== 0) return undefined;
      return rev.hostname.includes('.') ? rev.hostname : getfqdn(rev.hostname, timeoutMs);
    }),
  );
  return [...new Set(names.filter((n): n is string => typeof n === 'string'))].sort();
}
