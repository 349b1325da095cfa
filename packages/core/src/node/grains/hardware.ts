/**
 * CPU, memory, GPU, disk and firmware grains, read from /proc and /sys the way
 * salt/grains/core.py (_linux_cpudata, _linux_memdata, _linux_gpu_data, _hw_data, uefi) and
 * salt/grains/disks.py (_linux_disks) read them. GPUs: Salt parses `lspci -vmm`; here the
 * PCI display-class devices are read from /sys and named from pci.ids (what lspci prints);
 * without pci.ids (no lspci installed) the answer is Salt's without lspci: no GPUs.
 */
import { join } from 'node:path';
import { isDir, linkTarget, listDir, readBytes, readText } from './util.js';

/** _linux_cpudata. */
export function parseCpuinfo(text: string | undefined): Record<string, unknown> {
  const grains: Record<string, unknown> = {};
  if (text !== undefined) {
    let num = 0;
    for (const line of text.split('\n')) {
      const comps = line.split(':');
      if (comps.length <= 1) continue;
      const key = comps[0]!.trim();
      const val = comps[1]!.trim();
      if (key === 'processor') num += 1;
      else if (key === '# processors') num = Number.parseInt(val, 10);
      else if (key === 'vendor_id' || key === 'model name' || key === 'cpu') grains['cpu_model'] = val;
      else if (key === 'flags' || key === 'Features') grains['cpu_flags'] = val.split(/\s+/).filter(Boolean);
      else if (key === 'Processor') {
        grains['cpu_model'] = val.split('-')[0];
        num = 1;
      }
    }
    grains['num_cpus'] = num;
  }
  grains['num_cpus'] ??= 0;
  grains['cpu_model'] ??= 'Unknown';
  grains['cpu_flags'] ??= [];
  return grains;
}

/** _linux_memdata: MiB, floor-divided. */
export function parseMeminfo(text: string | undefined): { mem_total: number; swap_total: number } {
  const grains = { mem_total: 0, swap_total: 0 };
  for (const line of (text ?? '').split('\n')) {
    const comps = line.split(':');
    if (comps.length <= 1) continue;
    const kib = Number.parseInt(comps[1]!.trim().split(/\s+/)[0] ?? '', 10);
    if (!Number.isFinite(kib)) continue;
    if (comps[0]!.trim() === 'MemTotal') grains.mem_total = Math.floor(kib / 1024);
    if (comps[0]!.trim() === 'SwapTotal') grains.swap_total = Math.floor(kib / 1024);
  }
  return grains;
}

const KNOWN_GPU_VENDORS = ['nvidia', 'amd', 'ati', 'intel', 'cirrus logic', 'vmware', 'matrox', 'aspeed'];
// 3D controller, display controller, processing accelerators, VGA compatible controller
const GPU_CLASSES = new Set(['0302', '0380', '1200', '0300']);

async function readPciIds(): Promise<string | undefined> {
  for (const f of ['/usr/share/misc/pci.ids', '/usr/share/hwdata/pci.ids', '/usr/share/pci.ids']) {
    const text = await readText(f, 16 * 1024 * 1024);
    if (text !== undefined) return text;
  }
  return undefined;
}

function pciName(ids: string, vendor: string, device: string): { vendor?: string; device?: string } {
  const lines = ids.split('\n');
  let vendorName: string | undefined;
  for (const line of lines) {
    if (line.startsWith('#') || line === '') continue;
    if (!line.startsWith('\t')) {
      if (vendorName !== undefined) break; // past our vendor
      if (line.slice(0, 4).toLowerCase() === vendor) vendorName = line.slice(4).trim();
      continue;
    }
    if (vendorName !== undefined && !line.startsWith('\t\t') && line.slice(1, 5).toLowerCase() === device) {
      return { vendor: vendorName, device: line.slice(5).trim() };
    }
  }
  return vendorName === undefined ? {} : { vendor: vendorName };
}

/** _linux_gpu_data (see the module comment). */
export async function gpuGrains(): Promise<{ num_gpus: number; gpus: Array<{ vendor: string; model: string }> }> {
  const base = '/sys/bus/pci/devices';
  const devices = await listDir(base);
  const found: Array<{ vendor: string; device: string }> = [];
  for (const dev of devices) {
    const cls = (await readText(join(base, dev, 'class')))?.trim().replace(/^0x/, '') ?? '';
    if (!GPU_CLASSES.has(cls.slice(0, 4))) continue;
    const vendor = (await readText(join(base, dev, 'vendor')))?.trim().replace(/^0x/, '').toLowerCase() ?? '';
    const device = (await readText(join(base, dev, 'device')))?.trim().replace(/^0x/, '').toLowerCase() ?? '';
    found.push({ vendor, device });
  }
  if (found.length === 0) return { num_gpus: 0, gpus: [] };
  const ids = await readPciIds();
  if (ids === undefined) return { num_gpus: 0, gpus: [] };
  const gpus = found.map(({ vendor, device }) => {
    const names = pciName(ids, vendor, device);
    const words = (names.vendor ?? '').toLowerCase().split(/[^a-z0-9]/);
    const known = KNOWN_GPU_VENDORS.find((name) => words.includes(name));
    return { vendor: known ?? 'unknown', model: names.device ?? `Device ${device}` };
  });
  return { num_gpus: gpus.length, gpus };
}

/** _hw_data on Linux: /sys/class/dmi/id (unreadable files, e.g. 0400 as non-root, skipped). */
export async function dmiGrains(): Promise<Record<string, string>> {
  const dir = '/sys/class/dmi/id';
  if (!(await isDir(dir))) return {};
  const files: Record<string, string> = {
    biosversion: 'bios_version',
    biosvendor: 'bios_vendor',
    boardname: 'board_name',
    productname: 'product_name',
    manufacturer: 'sys_vendor',
    biosreleasedate: 'bios_date',
    uuid: 'product_uuid',
    serialnumber: 'product_serial',
  };
  const grains: Record<string, string> = {};
  for (const [key, file] of Object.entries(files)) {
    const text = await readText(join(dir, file));
    if (text === undefined) continue;
    grains[key] = key === 'uuid' ? text.trim().toLowerCase() : text.trim();
  }
  return grains;
}

/** _linux_devicetree_platform_data (only when /proc/device-tree exists). */
export async function devicetreeGrains(): Promise<Record<string, string>> {
  if (!(await isDir('/proc/device-tree'))) return {};
  const dt = async (p: string): Promise<string | undefined> =>
    (await readText(`/proc/device-tree/${p}`))?.replace(/\0+$/, '');
  const grains: Record<string, string> = {};
  const model = await dt('model');
  if (model) {
    const idx = model.indexOf(',');
    if (idx >= 0) {
      grains['manufacturer'] = model.slice(0, idx);
      grains['productname'] = model.slice(idx + 1);
    } else grains['productname'] = model;
  }
  const systemId = await dt('system-id');
  if (systemId) grains['serialnumber'] = systemId;
  const serial = await dt('serial-number');
  if (serial) grains['serialnumber'] = serial;
  return grains;
}

/** salt/grains/disks.py _linux_disks. */
export async function diskGrains(): Promise<{ disks: string[]; ssds: string[] }> {
  const ret = { disks: [] as string[], ssds: [] as string[] };
  for (const name of await listDir('/sys/block')) {
    const entry = `/sys/block/${name}`;
    if ((await linkTarget(entry)).startsWith('../devices/virtual/')) continue;
    const flag = (await readText(`${entry}/queue/rotational`))?.slice(0, 1);
    if (flag === '0') ret.ssds.push(name);
    else if (flag === '1') ret.disks.push(name);
  }
  return ret;
}

/** salt/grains/extra.py uefi. */
export async function uefiGrains(): Promise<{ efi: boolean; 'efi-secure-boot': boolean }> {
  let dir: string | undefined;
  for (const d of ['/sys/firmware/efi/efivars', '/sys/firmware/efi/vars']) {
    if ((await readText(d)) !== undefined || (await isDir(d))) {
      dir = d;
      break;
    }
  }
  if (dir === undefined) return { efi: false, 'efi-secure-boot': false };
  const entries = (await listDir(dir)).filter((e) => e.startsWith('SecureBoot-'));
  let enabled = false;
  if (entries.length === 1) {
    const file = dir.endsWith('efivars') ? join(dir, entries[0]!) : join(dir, entries[0]!, 'data');
    const data = await readBytes(file);
    enabled = data !== undefined && data.length > 0 && data[data.length - 1] === 1;
  }
  return { efi: true, 'efi-secure-boot': enabled };
}
