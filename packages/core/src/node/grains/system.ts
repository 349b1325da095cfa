/**
 * System grains from salt/grains/core.py, extra.py, minion_process.py and mdadm.py:
 * virtual/virtual_subtype (_virtual: systemd-detect-virt or virt-what when installed, as Salt
 * runs them, then Salt's /proc and /sys checks), init (_linux_init_system), selinux and
 * systemd (only when Salt would run their commands), kernelparams, machine_id, mdadm,
 * fibre_channel_host, transactional, locale_info, and the minion process grains.
 *
 * Not carried over from _virtual: the `dmidecode` and `lspci` probes (root-only / slow; the
 * /sys/class/dmi product name check Salt also does remains).
 */
import { stat } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { exists, isDir, isFile, readBytes, readText, run, which } from './util.js';

// ------------------------------------------------------------------ virtual

export async function virtualGrains(): Promise<Record<string, unknown>> {
  const g: Record<string, unknown> = { virtual: 'physical' };
  const subtype = (): string => (typeof g['virtual_subtype'] === 'string' ? (g['virtual_subtype'] as string) : '');
  const virtWhat = await which('virt-what');
  const cmds = virtWhat ? [['virt-what', virtWhat]] : [['systemd-detect-virt', await which('systemd-detect-virt')]];
  for (const [name, path] of cmds) {
    if (!path) continue;
    const res = await run(path, [], 3000);
    if (res === undefined || res.code > 0) continue;
    const out = res.stdout.trim();
    if (name === 'systemd-detect-virt') {
      if (['qemu', 'kvm', 'oracle', 'xen', 'bochs', 'chroot', 'uml', 'systemd-nspawn'].includes(out))
        g['virtual'] = out;
      else if (out.includes('vmware')) g['virtual'] = 'VMware';
      else if (out.includes('microsoft')) g['virtual'] = 'VirtualPC';
      else if (out.includes('lxc')) Object.assign(g, { virtual: 'container', virtual_subtype: 'LXC' });
      else if (out.includes('podman')) Object.assign(g, { virtual: 'container', virtual_subtype: 'Podman' });
      else if (out.includes('docker')) Object.assign(g, { virtual: 'container', virtual_subtype: 'Docker' });
      else if (out.includes('amazon')) Object.assign(g, { virtual: 'Nitro', virtual_subtype: 'Amazon EC2' });
    } else {
      for (const line of res.stdout.split('\n')) {
        if (['kvm', 'qemu', 'uml', 'xen'].includes(line)) g['virtual'] = line;
        else if (line.includes('lxc')) Object.assign(g, { virtual: 'container', virtual_subtype: 'LXC' });
        else if (line.includes('docker')) Object.assign(g, { virtual: 'container', virtual_subtype: 'Docker' });
        else if (line.includes('vmware')) g['virtual'] = 'VMware';
        else if (line.includes('parallels')) g['virtual'] = 'Parallels';
        else if (line.includes('nutanix')) Object.assign(g, { virtual: 'kvm', virtual_subtype: 'Nutanix AHV' });
        else if (line.includes('hyperv')) g['virtual'] = 'HyperV';
        else if (line === 'ibm_power-kvm') g['virtual'] = 'kvm';
        else if (line === 'ibm_power-lpar_shared') Object.assign(g, { virtual: 'LPAR', virtual_subtype: 'shared' });
        else if (line === 'ibm_power-lpar_dedicated')
          Object.assign(g, { virtual: 'LPAR', virtual_subtype: 'dedicated' });
        else continue;
        break;
      }
    }
  }
  // The checks Salt makes on Linux whatever the commands said.
  try {
    const self = await stat('/');
    const init = await stat('/proc/1/root/.');
    if (self.dev !== init.dev || self.ino !== init.ino) g['virtual_subtype'] = 'chroot';
  } catch {
    // not allowed to look at pid 1's root
  }
  if (await isDir('/proc/vz')) {
    if (await isFile('/proc/vz/version')) g['virtual'] = 'openvzhn';
    else if (await isFile('/proc/vz/veinfo')) g['virtual'] = 'openvzve';
  }
  const status = await readText('/proc/self/status');
  for (const line of (status ?? '').split('\n')) {
    const m = /^envID:\s+(\d+)$/.exec(line);
    if (m) g['virtual'] = Number(m[1]) !== 0 ? 'openvzve' : 'openvzhn';
  }
  if ((await isDir('/proc/sys/xen')) || (await isDir('/sys/bus/xen')) || (await isDir('/proc/xen'))) {
    if (await isFile('/proc/xen/xsd_kva')) g['virtual_subtype'] = 'Xen Dom0';
    else {
      const caps = await readText('/proc/xen/capabilities');
      if (caps !== undefined) g['virtual_subtype'] = caps.includes('control_d') ? 'Xen Dom0' : 'Xen PV DomU';
      else if (await isDir('/sys/bus/xen/drivers/xenconsole')) g['virtual_subtype'] = 'Xen PV DomU';
    }
    if (subtype().toLowerCase().includes('dom')) g['virtual'] = 'xen';
  }
  if ((await readText('/proc/cpuinfo'))?.includes('QEMU Virtual CPU')) g['virtual'] = 'kvm';
  const product = await readText('/sys/devices/virtual/dmi/id/product_name');
  if (product !== undefined) {
    if (product.includes('VirtualBox')) g['virtual'] = 'VirtualBox';
    else if (product.includes('RHEV Hypervisor')) Object.assign(g, { virtual: 'kvm', virtual_subtype: 'rhev' });
    else if (product.includes('oVirt Node')) Object.assign(g, { virtual: 'kvm', virtual_subtype: 'ovirt' });
    else if (product.includes('Google')) g['virtual'] = 'gce';
    else if (product.includes('BHYVE')) g['virtual'] = 'bhyve';
  }
  const cgroup = await readText('/proc/1/cgroup');
  if (cgroup !== undefined) {
    if (cgroup.includes(':/lxc/')) Object.assign(g, { virtual: 'container', virtual_subtype: 'LXC' });
    else if (cgroup.includes(':/kubepods/')) g['virtual_subtype'] = 'kubernetes';
    else if (cgroup.includes(':/libpod_parent/')) g['virtual_subtype'] = 'libpod';
    else if ([':/system.slice/docker', ':/docker/', ':/docker-ce/'].some((x) => cgroup.includes(x))) {
      Object.assign(g, { virtual: 'container', virtual_subtype: 'Docker' });
    }
  }
  if (subtype() !== 'LXC') {
    const environ = await readBytes('/proc/1/environ');
    if (environ?.toString('latin1').includes('container=lxc'))
      Object.assign(g, { virtual: 'container', virtual_subtype: 'LXC' });
  }
  if (subtype() && g['virtual'] === 'physical') g['virtual'] = 'virtual';
  if (String(g['virtual']).includes('xen')) {
    const parts = await Promise.all(['major', 'minor', 'extra'].map((f) => readText(`/sys/hypervisor/version/${f}`)));
    if (parts.every((p) => p !== undefined)) {
      const [a, b, c] = parts.map((p) => p!.trim());
      g['virtual_hv_version'] = `${a}.${b}${c}`;
      g['virtual_hv_version_info'] = [a, b, c];
    }
  }
  return g;
}

// ------------------------------------------------------------------ init, selinux, systemd

export async function initGrain(): Promise<string> {
  if (await exists('/run/systemd/system')) return 'systemd';
  const raw = await readText('/proc/1/cmdline');
  if (raw === undefined) return 'unknown';
  const cmdline = raw.replace(/\0/g, ' ').split(/\s+/).filter(Boolean);
  const first = cmdline[0];
  const initBin =
    first === undefined
      ? undefined
      : first.startsWith('/')
        ? (await isFile(first))
          ? first
          : undefined
        : await which(first);
  if (initBin?.endsWith('bin/init')) {
    const data = (await readBytes(initBin))?.toString('latin1').toLowerCase() ?? '';
    for (const item of ['upstart', 'sysvinit', 'systemd']) if (data.includes(item)) return item;
    return 'unknown';
  }
  for (const name of ['supervisord', 'dumb-init', 'tini']) {
    const p = await which(name);
    if (p !== undefined && cmdline.includes(p)) return name;
  }
  if (cmdline.length === 1 && cmdline[0] === 'runit') return 'runit';
  if (cmdline.includes('/sbin/my_init')) return 'runit';
  return 'unknown';
}

export async function selinuxGrains(): Promise<Record<string, unknown>> {
  if ((await which('selinuxenabled')) === undefined) return {};
  const enforce = await readText('/sys/fs/selinux/enforce');
  const selinux: Record<string, unknown> = { enabled: enforce !== undefined };
  if ((await which('getenforce')) !== undefined) {
    selinux['enforced'] = enforce === undefined ? 'Disabled' : enforce.trim() === '1' ? 'Enforcing' : 'Permissive';
  }
  return { selinux };
}

/** _systemd: only when systemctl and localectl are installed; runs `systemctl --version`. */
export async function systemdGrains(): Promise<Record<string, unknown>> {
  const systemctl = await which('systemctl');
  if (systemctl === undefined || (await which('localectl')) === undefined) return {};
  let version = 'UNDEFINED';
  let features = '';
  const res = await run(systemctl, ['--version'], 3000);
  if (res !== undefined && res.code === 0) {
    const lines = res.stdout.split('\n');
    if (lines[0]?.startsWith('systemd ') && lines.length > 1) {
      version = lines[0].split(/\s+/)[1] ?? version;
      features = lines[1] ?? '';
    }
  }
  return { systemd: { version, features } };
}

// ------------------------------------------------------------------ small files

/** shlex.split (POSIX): whitespace-separated words with '...' and "..." quoting and \ escapes. */
export function shlexSplit(s: string): string[] {
  const out: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else cur += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === '$' || s[i + 1] === '`'))
        cur += s[++i];
      else cur += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\') {
      if (i + 1 < s.length) cur += s[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) out.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += c;
      inWord = true;
    }
  }
  if (inWord) out.push(cur);
  return out;
}

/** kernelparams from the text of /proc/cmdline: [name, value or null] pairs. */
export function parseKernelparams(text: string): Array<[string, string | null]> {
  return shlexSplit(text).map((item) => {
    const data = item.split('=');
    return [data[0]!, data.length === 2 ? data[1]!.replace(/^"+|"+$/g, '') : null];
  });
}

export async function kernelparamsGrain(): Promise<Record<string, unknown>> {
  const text = await readText('/proc/cmdline');
  return text === undefined ? {} : { kernelparams: parseKernelparams(text) };
}

export async function machineIdGrain(): Promise<Record<string, string>> {
  for (const f of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
    if (!(await exists(f))) continue;
    const text = await readText(f);
    return text === undefined ? {} : { machine_id: text.trim() };
  }
  return {};
}

export async function mdadmGrain(): Promise<Record<string, string[]>> {
  const text = await readText('/proc/mdstat');
  if (text === undefined) return {};
  const devices = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('Personalities : ') || line.startsWith('unused devices:')) continue;
    if (line.includes(' : ')) devices.add(line.split(' : ')[0]!);
  }
  return { mdadm: [...devices].sort() };
}

export async function miscGrains(): Promise<Record<string, unknown>> {
  return {
    fibre_channel_host: await isDir('/sys/class/fc_host'),
    transactional: (await which('transactional-update')) !== undefined,
  };
}

// ------------------------------------------------------------------ locale and process

/**
 * locale_info: Python's locale.getlocale() of LC_CTYPE (the C/POSIX locale is coerced to
 * C.UTF-8, which Python names en_US.UTF-8), 'utf-8', and the local time zone abbreviation.
 */
export function localeInfo(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const raw = env['LC_ALL'] || env['LC_CTYPE'] || env['LANG'] || '';
  const name = raw.split('@')[0] ?? '';
  let language = 'en_US';
  let encoding = 'UTF-8';
  if (!['', 'C', 'POSIX'].includes(name) && !/^C\.(utf-?8)$/i.test(name)) {
    const [lang, enc] = name.split('.');
    language = lang ?? language;
    encoding = enc === undefined ? 'ISO8859-1' : /^utf-?8$/i.test(enc) ? 'UTF-8' : enc.toUpperCase();
  }
  return {
    defaultlanguage: language,
    defaultencoding: encoding,
    detectedencoding: 'utf-8',
    timezone: timezoneAbbrev(),
  };
}

function timezoneAbbrev(): string {
  const pick = (locale: string): string | undefined =>
    new Intl.DateTimeFormat(locale, { timeZoneName: 'short' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName')?.value;
  try {
    const us = pick('en-US');
    if (us !== undefined && !/^GMT[+-]/.test(us)) return us;
    const gb = pick('en-GB');
    if (gb !== undefined && !/^GMT[+-]/.test(gb)) return gb;
    return us ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

async function groupName(gid: number): Promise<string> {
  const text = await readText('/etc/group');
  for (const line of (text ?? '').split('\n')) {
    const f = line.split(':');
    if (f.length >= 3 && Number(f[2]) === gid) return f[0]!;
  }
  return '';
}

/** minion_process.grains plus cwd, path/systempath, shell. */
export async function processGrains(): Promise<Record<string, unknown>> {
  const info = userInfo();
  const path = (process.env['PATH'] ?? '').trim();
  return {
    username: info.username,
    groupname: await groupName(info.gid),
    pid: process.pid,
    gid: typeof process.getegid === 'function' ? process.getegid() : info.gid,
    uid: typeof process.geteuid === 'function' ? process.geteuid() : info.uid,
    cwd: process.cwd(),
    path,
    systempath: path.split(':'),
    shell: process.env['SHELL'] ?? '/bin/sh',
  };
}
