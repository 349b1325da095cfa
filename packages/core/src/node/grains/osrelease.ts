/**
 * The distribution grains (os, os_family, osfullname, osrelease, oscodename, lsb_distrib_*,
 * osrelease_info, osmajorrelease, osfinger), as salt/grains/core.py computes them on Linux in
 * an onedir or pip install (no importable lsb_release module, so Salt always takes
 * _legacy_linux_distribution_data after _os_release_to_grains): /etc/lsb-release first,
 * then /etc/os-release (platform.freedesktop_os_release rules), with Salt's name maps.
 *
 * Not carried over: the pre-os-release files (/etc/SuSE-release, altlinux-release,
 * centos-release, Synology); the `distro` package's fallbacks are reduced to VERSION_ID /
 * /etc/debian_version.
 */
import { readText } from './util.js';

export type OsRelease = Record<string, string>;

// platform._os_release_line / _os_release_unescape (CPython 3.11)
const OS_RELEASE_LINE = /^([a-zA-Z0-9_]+)=(["']?)(.*)\2$/;
const OS_RELEASE_UNESCAPE = /\\([\\$"'`])/g;

/** platform.freedesktop_os_release(): undefined when neither file can be read. */
export async function readOsRelease(): Promise<OsRelease | undefined> {
  for (const file of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await readText(file);
    if (text === undefined) continue;
    return parseOsRelease(text);
  }
  return undefined;
}

export function parseOsRelease(text: string): OsRelease {
  const info: OsRelease = { NAME: 'Linux', ID: 'linux', PRETTY_NAME: 'Linux' };
  for (const line of text.split('\n')) {
    const m = OS_RELEASE_LINE.exec(line);
    if (m) info[m[1]!] = (m[3] ?? '').replace(OS_RELEASE_UNESCAPE, '$1');
  }
  return info;
}

// _LSB_REGEX, matched at the start of each line
const LSB_REGEX = /^(DISTRIB_(?:ID|RELEASE|CODENAME|DESCRIPTION))=(?:'|")?([\p{L}\p{N}_\s.-]+)(?:'|")?/u;

export function parseLsbRelease(text: string): Record<string, string> {
  const ret: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = LSB_REGEX.exec(line);
    if (m) ret[`lsb_${m[1]!.toLowerCase()}`] = m[2]!.trimEnd();
  }
  return ret;
}

const OS_NAME_MAP: Record<string, string> = {
  redhatente: 'RedHat',
  gentoobase: 'Gentoo',
  archarm: 'Arch ARM',
  arch: 'Arch',
  debian: 'Debian',
  Junos: 'Junos',
  raspbian: 'Raspbian',
  fedoraremi: 'Fedora',
  chapeau: 'Chapeau',
  korora: 'Korora',
  amazonami: 'Amazon',
  alt: 'ALT',
  enterprise: 'OEL',
  oracleserv: 'OEL',
  cloudserve: 'CloudLinux',
  cloudlinux: 'CloudLinux',
  virtuozzo: 'Virtuozzo',
  almalinux: 'AlmaLinux',
  almalinuxk: 'AlmaLinux',
  pidora: 'Fedora',
  scientific: 'ScientificLinux',
  synology: 'Synology',
  nilrt: 'NILinuxRT',
  poky: 'Poky',
  manjaro: 'Manjaro',
  manjarolin: 'Manjaro',
  univention: 'Univention',
  antergos: 'Antergos',
  sles: 'SUSE',
  void: 'Void',
  slesexpand: 'RES',
  linuxmint: 'Mint',
  neon: 'KDE neon',
  pop: 'Pop',
  rocky: 'Rocky',
  alibabaclo: 'Alinux',
  mendel: 'Mendel',
  photon: 'VMware Photon OS',
};

const ID_AND_NAME_TO_OS: Record<string, string> = {
  'astra\u0000Astra Linux (Orel)': 'AstraLinuxCE',
  'astra\u0000Astra Linux (Smolensk)': 'AstraLinuxSE',
  'pop\u0000Pop!_OS': 'Pop',
};

const OS_FAMILY_MAP: Record<string, string> = {
  Ubuntu: 'Debian',
  Fedora: 'RedHat',
  Chapeau: 'RedHat',
  Korora: 'RedHat',
  FedBerry: 'RedHat',
  CentOS: 'RedHat',
  'CentOS Stream': 'RedHat',
  GoOSe: 'RedHat',
  Scientific: 'RedHat',
  Amazon: 'RedHat',
  CloudLinux: 'RedHat',
  Virtuozzo: 'RedHat',
  AlmaLinux: 'RedHat',
  'AlmaLinux Kitten': 'RedHat',
  OVS: 'RedHat',
  OEL: 'RedHat',
  XCP: 'RedHat',
  'XCP-ng': 'RedHat',
  XenServer: 'RedHat',
  RES: 'RedHat',
  Sangoma: 'RedHat',
  'VMware Photon OS': 'RedHat',
  Mandrake: 'Mandriva',
  Mint: 'Debian',
  VMwareESX: 'VMware',
  Bluewhite64: 'Bluewhite',
  Slamd64: 'Slackware',
  SLES: 'Suse',
  'SUSE Enterprise Server': 'Suse',
  'SUSE  Enterprise Server': 'Suse',
  SLED: 'Suse',
  openSUSE: 'Suse',
  SUSE: 'Suse',
  'openSUSE Leap': 'Suse',
  'openSUSE Tumbleweed': 'Suse',
  SLES_SAP: 'Suse',
  alfaLinux: 'Suse',
  'alfaLinux Rise': 'Suse',
  AlterOS: 'RedHat',
  'RED OS': 'RedHat',
  'Arch ARM': 'Arch',
  Manjaro: 'Arch',
  'Manjaro ARM': 'Arch',
  Antergos: 'Arch',
  EndeavourOS: 'Arch',
  ALT: 'RedHat',
  Trisquel: 'Debian',
  GCEL: 'Debian',
  Linaro: 'Debian',
  'elementary OS': 'Debian',
  elementary: 'Debian',
  Univention: 'Debian',
  ScientificLinux: 'RedHat',
  Raspbian: 'Debian',
  Devuan: 'Debian',
  antiX: 'Debian',
  Kali: 'Debian',
  'Parrot OS': 'Debian',
  neon: 'Debian',
  Cumulus: 'Debian',
  Deepin: 'Debian',
  NILinuxRT: 'NILinuxRT',
  'KDE neon': 'Debian',
  Void: 'Void',
  IDMS: 'Debian',
  Funtoo: 'Gentoo',
  TurnKey: 'Debian',
  Pop: 'Debian',
  Rocky: 'RedHat',
  AstraLinuxCE: 'Debian',
  AstraLinuxSE: 'Debian',
  Alinux: 'RedHat',
  Mendel: 'Debian',
  OSMC: 'Debian',
  openEuler: 'RedHat',
};

// _REPLACE_LINUX_RE = re.compile(r"\W(?:gnu/)?linux", re.IGNORECASE)
const REPLACE_LINUX = /[^\p{L}\p{N}_](?:gnu\/)?linux/giu;

/** _derive_os_grain(osfullname, os_id). */
export function deriveOsGrain(osfullname: string, osId?: string): string {
  const mapped = osId === undefined ? undefined : ID_AND_NAME_TO_OS[`${osId}\u0000${osfullname}`];
  if (mapped !== undefined) return mapped;
  const distroname = osfullname.replace(REPLACE_LINUX, '').trim();
  const shortname = Array.from(distroname.replace(/ /g, '').toLowerCase()).slice(0, 10).join('');
  return Object.hasOwn(OS_NAME_MAP, shortname) ? OS_NAME_MAP[shortname]! : distroname;
}

function parseCpeName(cpe: string | undefined): Record<string, string | null> {
  const parts = (cpe ?? '').split(':');
  const ret: Record<string, string | null> = {};
  const star = (x: string | undefined): string | null => (x === undefined || x === '*' ? null : x);
  if (parts.length > 4 && parts[0] === 'cpe') {
    if (parts[1]!.startsWith('/')) {
      ret['vendor'] = parts[2] ?? null;
      ret['product'] = parts[3] ?? null;
      ret['version'] = parts[4] ?? null;
    } else if (parts.length === 6 && parts[1] === '2.3') {
      ret['vendor'] = star(parts[3]);
      ret['product'] = star(parts[4]);
      ret['version'] = star(parts[5]);
    } else if (parts.length > 7 && parts.length <= 13 && parts[1] === '2.3') {
      ret['vendor'] = star(parts[3]);
      ret['product'] = star(parts[4]);
      ret['version'] = star(parts[5]);
    }
  }
  return ret;
}

/** _osrelease_data(os, osfullname, osrelease). */
export function osreleaseData(os: string, osfullname: string, osrelease: string): Record<string, unknown> {
  const info: Array<string | number> = osrelease.split('.').map((v) => (/^[0-9]+$/.test(v) ? Number(v) : v));
  const grains: Record<string, unknown> = { osrelease_info: info };
  const first = info[0];
  const major =
    typeof first === 'number' ? first : /^\s*[+-]?[0-9]+\s*$/.test(String(first)) ? Number(first) : undefined;
  if (major !== undefined) grains['osmajorrelease'] = major;
  const osName = ['Debian', 'FreeBSD', 'OpenBSD', 'NetBSD', 'Mac', 'Raspbian', 'AlmaLinux'].includes(os)
    ? os
    : osfullname;
  grains['osfinger'] = `${osName}-${['Ubuntu', 'Pop', 'NixOS'].includes(os) ? osrelease : String(first)}`;
  return grains;
}

/** The distribution grains for Linux (see the module comment), read from this host. */
export async function linuxDistributionGrains(): Promise<Record<string, unknown>> {
  const lsbText = await readText('/etc/lsb-release');
  const osRelease = await readOsRelease();
  const debianVersion = osRelease?.['ID'] === 'debian' ? await readText('/etc/debian_version') : undefined;
  return distributionGrains(lsbText, osRelease, debianVersion);
}

/**
 * The distribution grains from the texts of /etc/lsb-release, the parsed os-release and
 * /etc/debian_version (each undefined when absent); pure, for tests.
 */
export function distributionGrains(
  lsbText: string | undefined,
  osReleaseData: OsRelease | undefined,
  debianVersion: string | undefined,
): Record<string, unknown> {
  const grains: Record<string, unknown> = lsbText === undefined ? {} : parseLsbRelease(lsbText);
  const osRelease = osReleaseData ?? {};
  const hasOsRelease = Object.keys(osRelease).length > 0;
  if (hasOsRelease) {
    grains['os'] = deriveOsGrain(osRelease['NAME']!, osRelease['ID']);
    grains['osfullname'] = osRelease['NAME']!.trim();
    // (_os_release_to_grains also sets os_family/oscodename/osrelease; the legacy code below
    // recomputes all three.)
  }
  const str = (k: string): string => (typeof grains[k] === 'string' ? (grains[k] as string) : '');
  if (str('lsb_distrib_description').toLowerCase().startsWith('antergos')) {
    grains['osfullname'] = 'Antergos Linux';
  } else if (!('lsb_distrib_id' in grains) && hasOsRelease) {
    grains['lsb_distrib_id'] = osRelease['NAME']!.trim();
    if ('VERSION_ID' in osRelease) grains['lsb_distrib_release'] = osRelease['VERSION_ID'];
    if ('VERSION_CODENAME' in osRelease) grains['lsb_distrib_codename'] = osRelease['VERSION_CODENAME'];
    else if ('PRETTY_NAME' in osRelease) grains['lsb_distrib_codename'] = osRelease['PRETTY_NAME'];
    if ('CPE_NAME' in osRelease) {
      const cpe = parseCpeName(osRelease['CPE_NAME']);
      const vendor = (cpe['vendor'] ?? '').toLowerCase();
      if (vendor === 'suse' || vendor === 'opensuse') {
        grains['os'] = 'SUSE';
        if (osRelease['NAME'] === 'openSUSE Leap') grains['osfullname'] = 'Leap';
        else if (osRelease['VERSION'] === 'Tumbleweed') grains['osfullname'] = osRelease['VERSION'];
        if (cpe['version'] && cpe['vendor'] === 'opensuse') grains['lsb_distrib_release'] = cpe['version'];
      }
    }
    if ((osRelease['ID'] ?? '').trim() === 'mendel') {
      const words = (osRelease['PRETTY_NAME'] ?? '').split(/\s+/).filter(Boolean);
      if (words.length >= 3) grains['lsb_distrib_release'] = words[2];
    }
  }
  // The `distro` package's answers, used only as fallbacks.
  const fallbackVersion =
    osRelease['VERSION_ID'] ?? (osRelease['ID'] === 'debian' ? (debianVersion?.trim() ?? '') : '');
  const fallbackCodename = osRelease['VERSION_CODENAME'] ?? '';
  const fallbackName = osRelease['ID'] ?? '';
  if (!('osfullname' in grains)) grains['osfullname'] = (str('lsb_distrib_id') || fallbackName).trim();
  if (['CentOS Linux 7', 'CentOS Linux 8'].some((v) => str('lsb_distrib_codename').includes(v))) {
    delete grains['lsb_distrib_release'];
  }
  grains['osrelease'] = ('lsb_distrib_release' in grains ? str('lsb_distrib_release') : fallbackVersion).trim();
  if (str('lsb_distrib_codename') && ['Rocky', 'AlmaLinux', 'AstraLinuxSE'].some((v) => str('os').includes(v))) {
    const parts = str('lsb_distrib_codename').split('(');
    if (parts.length >= 2) {
      const inner = parts.slice(1).join('(').split(')')[0] ?? '';
      grains['lsb_distrib_codename'] =
        grains['os'] === 'AstraLinuxSE' ? (inner.split(/\s+/)[0] ?? '').toLowerCase() : inner;
    }
  }
  grains['oscodename'] = str('lsb_distrib_codename').trim() || fallbackCodename;
  if (str('oscodename').includes('Red Hat')) grains['oscodename'] = fallbackCodename;
  if (!('os' in grains)) grains['os'] = deriveOsGrain(str('osfullname'));
  if ('SUSE_SUPPORT_PRODUCT' in osRelease && 'SUSE_SUPPORT_PRODUCT_VERSION' in osRelease) {
    grains['oscodename'] =
      osRelease['SUSE_PRETTY_NAME'] ??
      `${osRelease['SUSE_SUPPORT_PRODUCT']} ${osRelease['SUSE_SUPPORT_PRODUCT_VERSION']}`;
    grains['osrelease'] = osRelease['SUSE_SUPPORT_PRODUCT_VERSION'];
    if (osRelease['SUSE_SUPPORT_PRODUCT'] === 'SUSE Linux Micro') grains['osfullname'] = 'SL-Micro';
  }
  const os = str('os');
  grains['os_family'] = Object.hasOwn(OS_FAMILY_MAP, os) ? OS_FAMILY_MAP[os] : os;
  return grains;
}

const DPKG_ARCH: Record<string, string> = {
  x86_64: 'amd64',
  aarch64: 'arm64',
  armv7l: 'armhf',
  armv6l: 'armel',
  i686: 'i386',
  i386: 'i386',
  ppc64le: 'ppc64el',
  s390x: 's390x',
  riscv64: 'riscv64',
  mips64: 'mips64el',
  loongarch64: 'loong64',
};

/** What `dpkg --print-architecture` prints for a kernel machine name, when dpkg cannot be run. */
export function dpkgArchFor(cpuarch: string): string {
  return DPKG_ARCH[cpuarch] ?? cpuarch;
}
