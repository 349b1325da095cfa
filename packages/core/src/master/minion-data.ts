import type { Dict } from '../protocol/values.js';

/** What a master knows of one minion (Salt's minion data cache: `minions/<id>/data`). */
export interface MinionData {
  readonly grains?: Dict;
  readonly pillar?: Dict;
}

/**
 * Salt's `minion_data_cache`: the grains each minion sent with its `_pillar` request, read by
 * grain, pillar and compound targeting. Implementations may persist (the CLI keeps one file per
 * minion under the cachedir).
 */
export interface MinionDataCache {
  get(id: string): MinionData | undefined;
  set(id: string, data: MinionData): void | Promise<void>;
  delete(id: string): void | Promise<void>;
}

/** The in-memory cache (default): lost when the master restarts, refilled as minions start. */
export class MemoryMinionDataCache implements MinionDataCache {
  private readonly data = new Map<string, MinionData>();

  get(id: string): MinionData | undefined {
    return this.data.get(id);
  }

  set(id: string, data: MinionData): void {
    this.data.set(id, data);
  }

  delete(id: string): void {
    this.data.delete(id);
  }
}
