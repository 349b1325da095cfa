import { appendFile, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { MemoryJidCache } from '../minion/jid-cache.js';

const JID_LINE = /^[A-Za-z0-9_.:-]{1,128}$/;

/**
 * A JidCache persisted in the minion cachedir (one jid a line, appended before the job runs;
 * rewritten with the newest `limit` jids when the file holds twice as many), so a publish replayed
 * to a restarted minion is still refused. Lines that are not jids are ignored on load.
 */
export class FsJidCache extends MemoryJidCache {
  private lines = 0;
  private writing: Promise<void> = Promise.resolve();

  private constructor(
    private readonly path: string,
    limit: number,
  ) {
    super(limit);
  }

  static async open(path: string, limit = 10_000): Promise<FsJidCache> {
    const cache = new FsJidCache(path, limit);
    await mkdir(dirname(path), { recursive: true });
    const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return '';
      throw error;
    });
    for (const line of text.split('\n')) {
      if (JID_LINE.test(line)) {
        cache.remember(line);
        cache.lines++;
      }
    }
    return cache;
  }

  override add(jid: string): Promise<void> {
    this.remember(jid);
    const line = JID_LINE.test(jid) ? jid : undefined;
    this.writing = this.writing.then(async () => {
      if (line === undefined) return; // odd jids are still refused in memory, not written
      if (this.lines + 1 > 2 * this.limit) {
        const tmp = `${this.path}.tmp`;
        await writeFile(tmp, [...this.jids].filter((j) => JID_LINE.test(j)).join('\n') + '\n', { mode: 0o600 });
        await rename(tmp, this.path);
        this.lines = this.jids.size;
      } else {
        await appendFile(this.path, `${line}\n`, { mode: 0o600 });
        this.lines++;
      }
    });
    return this.writing;
  }
}
