import { ErrorCodes, toBrineError } from '@brine/contracts';
import type { ChildOptions } from './children/parent.js';
import { KeyCache } from './keys.js';
import type { PemPair } from './suites.js';
import type { Profile } from './profile.js';
import type { Progress } from './progress.js';
import type { BenchErrorRecord, Family, TransportName } from './results.js';

export type Pinning = 'off' | 'split' | 'same';

/** What every family runner gets from runBench. */
export class RunContext {
  readonly errors: BenchErrorRecord[] = [];
  /** Key pairs generated once per run, before timing. */
  readonly keys = new KeyCache();

  constructor(
    readonly profile: Profile,
    readonly transports: TransportName[],
    readonly progress: Progress,
    private readonly pinning: Pinning,
    private readonly cpuProfDir: string | undefined,
  ) {}

  /** A master key pair and up to `minions` minion key pairs (RSA-2048 Salt keys, or NaCl). */
  async keyPairs(kind: 'salt' | 'nacl', minions = 8): Promise<{ master: PemPair; minions: PemPair[] }> {
    const all = await this.keys.get(kind, 2048, 1 + minions);
    return { master: all[0]!, minions: all.slice(1) };
  }

  /** Fork options for a bench process: `server` processes and `client` (load) processes may be pinned apart. */
  child(name: string, side: 'server' | 'client'): ChildOptions {
    const options: ChildOptions = { name, reusable: true };
    if (this.pinning === 'same') options.cpus = '0';
    if (this.pinning === 'split') options.cpus = side === 'server' ? '0' : '1';
    if (this.cpuProfDir) options.execArgv = ['--cpu-prof', `--cpu-prof-dir=${this.cpuProfDir}`];
    return options;
  }

  /** Records a failed case; the run goes on with the next one. */
  error(family: Family, caseName: string, error: unknown): void {
    const typed = toBrineError(error, ErrorCodes.REMOTE);
    this.errors.push({ family, case: caseName, code: typed.code, message: typed.message });
    this.progress.note(`! ${family} ${caseName}: ${typed.code} ${typed.message}`);
  }
}

export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} B`;
}
