/**
 * The in-memory index of a master's minion keys on disk (`FsKeyStore`): per state, id → cached
 * key text, loaded by one `readdir` per state folder and kept coherent with changes made by other
 * processes (`brine key` elsewhere, a file deleted or copied by hand):
 *
 * - **Watch.** `fs.watch` on each state folder; an event names a file, which is re-checked with
 *   one `lstat` (events that arrive during a scan are applied after it). While a folder's watch is
 *   healthy, key texts are cached (a file rewritten in place fires `change` and drops its text).
 * - **Generation stamp.** Listing checks each folder's (ino, mtime, ctime) at most every
 *   `checkIntervalMs` and rescans a folder whose stamp moved — what catches a folder created,
 *   replaced or changed while its watch was down (watch limits, a file system without events). A
 *   stamp younger than `RACY_MS` at scan time is not trusted (coarse mtime clocks): the next check
 *   rescans.
 * - **Miss re-validation.** A lookup that misses reads the file anyway (one `open`), so a key
 *   written a moment ago by another process is never missed; a hit with a healthy watch costs no
 *   file-system call at all. Without a watch, a hit reads the file as before (nothing is cached).
 *
 * The safe-fs rules hold: only regular files with valid ids are indexed (`readdir` types, no
 * symlinks or FIFOs); the others are reported through `onSkip` and left out; texts are read with
 * `readRegularFile` (no symlink, bounded size).
 */
import { watch, type Dirent, type FSWatcher, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { TypedEmitter } from '@brine/contracts';
import { isValidMinionId } from '../keystore/minion-id.js';
import { KEY_STATES } from '../keystore/state.js';
import type { KeyState } from '../keystore/types.js';
import { TEMP_PREFIX, errnoCode, fsError, lstatOrUndefined, refused } from './safe-fs.js';

/** A stamp this close to the scan (ms) may hide a change made in the same clock tick. */
const RACY_MS = 2000;

export interface KeyIndexOptions {
  /** Watch the state folders (default true). Off: every hit reads its file, listings use stamps only. */
  watch?: boolean;
  /** Least time between two generation checks of a folder on listing, ms. Default 1000. */
  checkIntervalMs?: number;
  /** An entry left out of the index (not a regular file, or a name that is not a valid id). */
  onSkip?: (skip: KeyIndexSkip) => void;
  /** Clock (ms), for tests. */
  now?: () => number;
}

export interface KeyIndexSkip {
  state: KeyState;
  name: string;
  reason: 'not a regular file' | 'invalid minion id';
}

/** One id that appeared in or left a state, as the index learnt it (watch, stamp check or own write). */
export interface KeyIndexChange {
  state: KeyState;
  id: string;
  present: boolean;
  via: 'watch' | 'scan' | 'store' | 'lookup';
}

export interface KeyIndexEvents {
  change: [change: KeyIndexChange];
  /** A state folder was (re)scanned from disk. */
  scan: [info: { state: KeyState; ids: number }];
}

interface Bucket {
  readonly state: KeyState;
  readonly dir: string;
  /** id → key text, or undefined when not cached. */
  ids: Map<string, string | undefined>;
  sorted: string[] | undefined;
  stamp: string | undefined;
  checkedAt: number;
  racy: boolean;
  watcher: FSWatcher | undefined;
  loading: Promise<void> | undefined;
  loaded: boolean;
  scanning: boolean;
  dirty: Set<string>;
  flush: Promise<void> | undefined;
  /** Bumped by every change the bucket learns; a read that saw another epoch does not apply its result. */
  epoch: number;
}

export class FsKeyIndex {
  readonly events = new TypedEmitter<KeyIndexEvents>();
  private readonly buckets = new Map<KeyState, Bucket>();
  private readonly watching: boolean;
  private readonly checkIntervalMs: number;
  private readonly now: () => number;
  private closed = false;

  constructor(
    pkiDir: string,
    dirs: Readonly<Record<KeyState, string>>,
    private readonly options: KeyIndexOptions = {},
  ) {
    this.watching = options.watch ?? true;
    this.checkIntervalMs = options.checkIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    for (const state of KEY_STATES) {
      this.buckets.set(state, {
        state,
        dir: join(pkiDir, dirs[state]),
        ids: new Map(),
        sorted: undefined,
        stamp: undefined,
        checkedAt: -Infinity,
        racy: false,
        watcher: undefined,
        loading: undefined,
        loaded: false,
        scanning: false,
        dirty: new Set(),
        flush: undefined,
        epoch: 0,
      });
    }
  }

  /** Whether hits can be served from memory (the folder is watched and its watch is healthy). */
  watched(state: KeyState): boolean {
    return this.bucket(state).watcher !== undefined;
  }

  /**
   * The cached entry for `id`: `{ pem }` when the text is cached (healthy watch), `{ pem: undefined }`
   * when indexed but not cached, undefined when the index has no such id (the caller re-validates).
   */
  async lookup(state: KeyState, id: string): Promise<{ pem: string | undefined } | undefined> {
    const bucket = await this.loaded(state);
    if (!bucket.ids.has(id)) return undefined;
    return { pem: bucket.watcher ? bucket.ids.get(id) : undefined };
  }

  /** Ids in `state`, sorted; checks the folder's generation stamp first (at most every checkIntervalMs). */
  async list(state: KeyState): Promise<string[]> {
    const bucket = await this.loaded(state);
    await this.checkStamp(bucket);
    bucket.sorted ??= [...bucket.ids.keys()].sort();
    return [...bucket.sorted];
  }

  /** Number of ids in `state` (same freshness as `list`). */
  async count(state: KeyState): Promise<number> {
    const bucket = await this.loaded(state);
    await this.checkStamp(bucket);
    return bucket.ids.size;
  }

  /** The bucket's epoch, to pass back to `noteRead` after an await. */
  epoch(state: KeyState): number {
    return this.bucket(state).epoch;
  }

  /**
   * A lookup read `state/id` from disk (`pem`, undefined when absent), having seen `epoch` before
   * the read: applied only if nothing changed meanwhile (a delete racing the read must win).
   */
  noteRead(state: KeyState, id: string, pem: string | undefined, epoch: number): void {
    if (this.bucket(state).epoch !== epoch) return;
    if (pem === undefined) this.noteRemove(state, id, 'lookup');
    else this.noteWrite(state, id, pem, 'lookup');
  }

  /** This process wrote `pem` as `state/id`. */
  noteWrite(state: KeyState, id: string, pem: string | undefined, via: KeyIndexChange['via'] = 'store'): void {
    const bucket = this.bucket(state);
    bucket.epoch++;
    if (!bucket.loaded) return;
    const had = bucket.ids.has(id);
    bucket.ids.set(id, bucket.watcher ? pem : undefined);
    if (!had) {
      bucket.sorted = undefined;
      this.events.emit('change', { state, id, present: true, via });
    }
    // The folder may have been created by this write: start watching it.
    if (!bucket.watcher && this.watching && !this.closed) this.startWatch(bucket);
  }

  /** This process removed `state/id` (or found it gone). */
  noteRemove(state: KeyState, id: string, via: KeyIndexChange['via'] = 'store'): void {
    const bucket = this.bucket(state);
    bucket.epoch++;
    if (!bucket.loaded || !bucket.ids.delete(id)) return;
    bucket.sorted = undefined;
    this.events.emit('change', { state, id, present: false, via });
  }

  /** The cached text of `state/id`, if any (moves carry it). */
  cached(state: KeyState, id: string): string | undefined {
    const bucket = this.bucket(state);
    return bucket.watcher ? bucket.ids.get(id) : undefined;
  }

  /** Stops the watches. Idempotent; the index then serves from stamps and reads only. */
  close(): void {
    this.closed = true;
    for (const bucket of this.buckets.values()) this.stopWatch(bucket);
  }

  private bucket(state: KeyState): Bucket {
    return this.buckets.get(state)!;
  }

  /** The bucket, loaded: the first use loads every state folder (one readdir each) and watches them. */
  private async loaded(state: KeyState): Promise<Bucket> {
    const bucket = this.bucket(state);
    if (bucket.loaded) return bucket;
    const load = (b: Bucket): Promise<void> =>
      b.loaded
        ? Promise.resolve()
        : (b.loading ??= this.scan(b).finally(() => {
            b.loading = undefined;
          }));
    const others = [...this.buckets.values()].filter((b) => b !== bucket).map((b) => load(b).catch(() => {}));
    await Promise.all([load(bucket), ...others]);
    return bucket;
  }

  private async checkStamp(bucket: Bucket): Promise<void> {
    if (!bucket.racy && this.now() - bucket.checkedAt < this.checkIntervalMs) return;
    const stamp = await this.stampOf(bucket);
    if (stamp !== bucket.stamp || bucket.racy) {
      bucket.loading ??= this.scan(bucket).finally(() => {
        bucket.loading = undefined;
      });
      await bucket.loading;
    } else bucket.checkedAt = this.now();
  }

  private async stampOf(bucket: Bucket): Promise<string | undefined> {
    const stat = await lstatOrUndefined(bucket.dir);
    if (stat === undefined) return undefined;
    if (!stat.isDirectory()) throw refused(bucket.dir, stat.isSymbolicLink() ? 'symbolic link' : 'not a directory');
    return `${stat.ino}:${stat.mtimeMs}:${stat.ctimeMs}`;
  }

  /** Reads the folder again and replaces the bucket's ids (cached texts of surviving ids are kept while watched). */
  private async scan(bucket: Bucket): Promise<void> {
    bucket.scanning = true;
    try {
      const checkedAt = this.now();
      const stamp = await this.stampOf(bucket);
      // A folder replaced or removed: its old watch hears nothing any more.
      if (bucket.watcher && inode(stamp) !== inode(bucket.stamp)) this.stopWatch(bucket);
      // Watch before reading: a change made during the readdir then arrives as an event, applied after.
      if (this.watching && !this.closed && !bucket.watcher && stamp !== undefined) this.startWatch(bucket);
      let entries: Dirent[] = [];
      if (stamp !== undefined) {
        try {
          entries = await fs.readdir(bucket.dir, { withFileTypes: true });
        } catch (error) {
          if (errnoCode(error) !== 'ENOENT') throw fsError('readdir', bucket.dir, error);
        }
      }
      const before = bucket.ids;
      const ids = new Map<string, string | undefined>();
      for (const entry of entries) {
        const name = entry.name;
        if (name.startsWith(TEMP_PREFIX)) continue;
        if (!isValidMinionId(name)) {
          this.options.onSkip?.({ state: bucket.state, name, reason: 'invalid minion id' });
          continue;
        }
        if (!entry.isFile()) {
          this.options.onSkip?.({ state: bucket.state, name, reason: 'not a regular file' });
          continue;
        }
        ids.set(name, bucket.watcher ? before.get(name) : undefined);
      }
      bucket.ids = ids;
      bucket.sorted = undefined;
      bucket.epoch++;
      bucket.stamp = stamp;
      bucket.checkedAt = checkedAt;
      bucket.racy = stamp !== undefined && isRacy(stamp, checkedAt);
      const wasLoaded = bucket.loaded;
      bucket.loaded = true;
      if (wasLoaded) {
        for (const id of before.keys()) {
          if (!ids.has(id)) this.events.emit('change', { state: bucket.state, id, present: false, via: 'scan' });
        }
        for (const id of ids.keys()) {
          if (!before.has(id)) this.events.emit('change', { state: bucket.state, id, present: true, via: 'scan' });
        }
      }
      this.events.emit('scan', { state: bucket.state, ids: ids.size });
    } finally {
      bucket.scanning = false;
    }
    if (bucket.dirty.size > 0) this.scheduleFlush(bucket);
  }

  private startWatch(bucket: Bucket): void {
    let watcher: FSWatcher;
    try {
      watcher = watch(bucket.dir, { persistent: false }, (kind, name) => this.onEvent(bucket, kind, name));
    } catch {
      return; // absent folder, no inotify watches left, ...: stamps and reads carry on alone
    }
    watcher.on('error', () => {
      if (bucket.watcher === watcher) this.stopWatch(bucket);
    });
    watcher.unref?.();
    bucket.watcher = watcher;
  }

  /** A dead or closed watch: drop cached texts (they can no longer be trusted) and force a stamp check. */
  private stopWatch(bucket: Bucket): void {
    bucket.watcher?.close();
    bucket.watcher = undefined;
    for (const id of bucket.ids.keys()) bucket.ids.set(id, undefined);
    bucket.racy = true;
  }

  private onEvent(bucket: Bucket, kind: string, name: string | Buffer | null): void {
    if (this.closed) return;
    const file = typeof name === 'string' ? name : name?.toString('utf8');
    if (file === undefined || file === '') {
      // An event without a name (overflow, platform): trust nothing until the next scan.
      bucket.racy = true;
      return;
    }
    if (file.startsWith(TEMP_PREFIX) || !isValidMinionId(file)) return;
    // A rewrite in place ('change') or a replace ('rename'): the cached text is stale either way.
    if (bucket.ids.has(file)) bucket.ids.set(file, undefined);
    bucket.epoch++;
    void kind;
    bucket.dirty.add(file);
    if (!bucket.scanning) this.scheduleFlush(bucket);
  }

  private scheduleFlush(bucket: Bucket): void {
    bucket.flush ??= new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.flush(bucket))
      .catch(() => {
        bucket.racy = true; // an lstat failed: the next listing rescans
      })
      .finally(() => {
        bucket.flush = undefined;
        if (bucket.dirty.size > 0 && !bucket.scanning) this.scheduleFlush(bucket);
      });
  }

  /** Re-checks every file named by an event since the last flush: one lstat each. */
  private async flush(bucket: Bucket): Promise<void> {
    if (!bucket.loaded || bucket.scanning) return;
    const names = [...bucket.dirty];
    bucket.dirty.clear();
    for (const name of names) {
      const epoch = bucket.epoch;
      const stat = await lstatOrUndefined(join(bucket.dir, name)).catch(() => undefined);
      if (bucket.scanning || bucket.epoch !== epoch) {
        bucket.dirty.add(name); // a scan or another change came meanwhile: re-check after it
        continue;
      }
      if (stat?.isFile()) {
        // A key rewritten in place is a change too (its cached text was dropped with the event).
        if (!bucket.ids.has(name)) this.noteWrite(bucket.state, name, undefined, 'watch');
        else this.events.emit('change', { state: bucket.state, id: name, present: true, via: 'watch' });
      } else {
        if (stat !== undefined) this.options.onSkip?.({ state: bucket.state, name, reason: 'not a regular file' });
        this.noteRemove(bucket.state, name, 'watch');
      }
    }
  }
}

/** A whole-second mtime close to the scan: a coarse clock may hide a change made in the same tick. */
function isRacy(stamp: string, checkedAt: number): boolean {
  const mtime = Number(stamp.split(':')[1]);
  if (!Number.isFinite(mtime)) return true;
  return mtime % 1000 === 0 && checkedAt - mtime < RACY_MS;
}

function inode(stamp: string | undefined): string | undefined {
  return stamp?.split(':')[0];
}
