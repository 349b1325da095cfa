/**
 * The part of Python's `ipaddress` (CPython 3.11) that Salt's ipcidr matching uses
 * (salt/matchers/ipcidr_match.py, CkMinions._check_ipcidr_minions, salt/utils/network.py
 * in_subnet): ip_address() and ip_network(strict=True) parsing with the same acceptance
 * rules (no leading zeros in IPv4 octets, one `::`, embedded IPv4 in IPv6, IPv6 scope ids,
 * IPv4 netmask/hostmask forms, host bits refused), str() of an address (IPv6 compressed as
 * Python does), and `address in network`.
 */

export interface IpAddress {
  readonly kind: 'address';
  readonly version: 4 | 6;
  readonly value: bigint;
  readonly scope?: string;
}

export interface IpNetwork {
  readonly kind: 'network';
  readonly version: 4 | 6;
  readonly network: bigint;
  readonly prefix: number;
}

const isAsciiDigits = (s: string): boolean => /^[0-9]+$/.test(s);

function parseV4(s: string): bigint | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let v = 0n;
  for (const octet of parts) {
    if (!isAsciiDigits(octet) || octet.length > 3) return undefined;
    if (octet !== '0' && octet.startsWith('0')) return undefined;
    const n = Number(octet);
    if (n > 255) return undefined;
    v = (v << 8n) | BigInt(n);
  }
  return v;
}

function parseV6(input: string): { value: bigint; scope?: string } | undefined {
  if (input === '') return undefined;
  const pct = input.indexOf('%');
  let s = input;
  let scope: string | undefined;
  if (pct >= 0) {
    scope = input.slice(pct + 1);
    s = input.slice(0, pct);
    if (scope === '' || scope.includes('%')) return undefined;
  }
  const parts = s.split(':');
  if (parts.length < 3) return undefined;
  const lastPart = parts[parts.length - 1]!;
  if (lastPart.includes('.')) {
    const v4 = parseV4(lastPart);
    if (v4 === undefined) return undefined;
    parts.pop();
    parts.push(((v4 >> 16n) & 0xffffn).toString(16), (v4 & 0xffffn).toString(16));
  }
  if (parts.length > 9) return undefined;
  let skip: number | undefined;
  for (let i = 1; i < parts.length - 1; i++) {
    if (parts[i] === '') {
      if (skip !== undefined) return undefined;
      skip = i;
    }
  }
  let hi: number;
  let lo: number;
  let skipped: number;
  if (skip !== undefined) {
    hi = skip;
    lo = parts.length - skip - 1;
    if (parts[0] === '') {
      hi--;
      if (hi) return undefined;
    }
    if (parts[parts.length - 1] === '') {
      lo--;
      if (lo) return undefined;
    }
    skipped = 8 - (hi + lo);
    if (skipped < 1) return undefined;
  } else {
    if (parts.length !== 8) return undefined;
    if (parts[0] === '' || parts[parts.length - 1] === '') return undefined;
    hi = parts.length;
    lo = 0;
    skipped = 0;
  }
  const hextet = (h: string): bigint | undefined => (/^[0-9A-Fa-f]{1,4}$/.test(h) ? BigInt(`0x${h}`) : undefined);
  let v = 0n;
  for (let i = 0; i < hi; i++) {
    const h = hextet(parts[i]!);
    if (h === undefined) return undefined;
    v = (v << 16n) | h;
  }
  v <<= BigInt(16 * skipped);
  for (let i = -lo; i < 0; i++) {
    const h = hextet(parts[parts.length + i]!);
    if (h === undefined) return undefined;
    v = (v << 16n) | h;
  }
  return scope === undefined ? { value: v } : { value: v, scope };
}

/** ipaddress.ip_address(s), or undefined where Python raises ValueError. */
export function parseAddress(s: string): IpAddress | undefined {
  const v4 = parseV4(s);
  if (v4 !== undefined) return { kind: 'address', version: 4, value: v4 };
  const v6 = parseV6(s);
  if (v6 === undefined) return undefined;
  return v6.scope === undefined
    ? { kind: 'address', version: 6, value: v6.value }
    : { kind: 'address', version: 6, value: v6.value, scope: v6.scope };
}

function prefixFromInt(v: bigint, bits: number): number | undefined {
  let zeros = 0;
  while (zeros < bits && ((v >> BigInt(zeros)) & 1n) === 0n) zeros++;
  const prefix = bits - zeros;
  const leading = v >> BigInt(zeros);
  return leading === (1n << BigInt(prefix)) - 1n ? prefix : undefined;
}

function parseMask(mask: string, version: 4 | 6): number | undefined {
  const bits = version === 4 ? 32 : 128;
  if (isAsciiDigits(mask)) {
    const n = Number(mask);
    return n <= bits ? n : undefined;
  }
  if (version === 6) return undefined;
  const v = parseV4(mask);
  if (v === undefined) return undefined;
  const asNetmask = prefixFromInt(v, 32);
  if (asNetmask !== undefined) return asNetmask;
  return prefixFromInt(v ^ 0xffffffffn, 32);
}

/** ipaddress.ip_network(s) (strict), or undefined where Python raises ValueError. */
export function parseNetwork(s: string): IpNetwork | undefined {
  const parts = s.split('/');
  if (parts.length > 2) return undefined;
  const addr = parts[0]!;
  for (const version of [4, 6] as const) {
    const bits = version === 4 ? 32 : 128;
    const value = version === 4 ? parseV4(addr) : parseV6(addr)?.value;
    if (value === undefined) continue;
    const prefix = parts.length === 2 ? parseMask(parts[1]!, version) : bits;
    if (prefix === undefined) return undefined;
    const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - prefix)) - 1n);
    if ((value & mask) !== value) return undefined; // has host bits set
    return { kind: 'network', version, network: value, prefix };
  }
  return undefined;
}

/** str(ipaddress.ip_address(...)). */
export function formatAddress(a: IpAddress): string {
  if (a.version === 4) {
    const v = a.value;
    return [24n, 16n, 8n, 0n].map((sh) => ((v >> sh) & 0xffn).toString()).join('.');
  }
  const hextets: string[] = [];
  for (let i = 7; i >= 0; i--) hextets.push(((a.value >> BigInt(16 * i)) & 0xffffn).toString(16));
  // _compress_hextets: the first longest run of '0' hextets, if longer than one.
  let bestStart = -1;
  let bestLen = 0;
  let curStart = -1;
  let curLen = 0;
  hextets.forEach((h, i) => {
    if (h === '0') {
      curLen++;
      if (curStart === -1) curStart = i;
      if (curLen > bestLen) {
        bestLen = curLen;
        bestStart = curStart;
      }
    } else {
      curLen = 0;
      curStart = -1;
    }
  });
  let out = hextets;
  if (bestLen > 1) {
    const end = bestStart + bestLen;
    out = [...hextets.slice(0, bestStart), '', ...hextets.slice(end)];
    if (end === hextets.length) out.push('');
    if (bestStart === 0) out.unshift('');
  }
  const text = out.join(':');
  return a.scope === undefined ? text : `${text}%${a.scope}`;
}

/** `address in network` (False across IP versions). */
export function networkContains(net: IpNetwork, a: IpAddress): boolean {
  if (net.version !== a.version) return false;
  const bits = net.version === 4 ? 32 : 128;
  const mask = ((1n << BigInt(bits)) - 1n) ^ ((1n << BigInt(bits - net.prefix)) - 1n);
  return (a.value & mask) === net.network;
}

export type IpTarget = IpAddress | IpNetwork;

/** What ipcidr_match does with the target: an address first, then a network. */
export function parseIpTarget(tgt: string): IpTarget | undefined {
  return parseAddress(tgt) ?? parseNetwork(tgt);
}

/**
 * The ipcidr decision for one host given its `ipv4` or `ipv6` grain (the one of the
 * target's version): an address target matches by exact string, as str(tgt) in grains[proto];
 * a network target by containment of any listed address (salt.utils.network.in_subnet).
 */
export function ipTargetMatches(tgt: IpTarget, addrs: unknown): boolean {
  if (tgt.kind === 'address') {
    const text = formatAddress(tgt);
    if (Array.isArray(addrs)) return addrs.includes(text);
    if (typeof addrs === 'string') return addrs.includes(text);
    return false;
  }
  const list = Array.isArray(addrs) ? addrs : [addrs];
  return list.some((item) => {
    const a = typeof item === 'string' ? parseAddress(item) : undefined;
    return a !== undefined && networkContains(tgt, a);
  });
}
