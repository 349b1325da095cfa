import type { MinionConfig } from '../config/types.js';
import { isDict, type Dict } from '../protocol/values.js';

/** Computes the core grains (`refresh`: recompute instead of a cached copy). */
export type GrainsProvider = (options: { refresh: boolean }) => Promise<Dict> | Dict;

/** salt.utils.dictupdate.update: nested dicts merged, other values replaced. */
function deepUpdate(dest: Dict, upd: Dict): Dict {
  for (const [k, v] of Object.entries(upd)) {
    const cur = dest[k];
    dest[k] = isDict(cur) && isDict(v) ? deepUpdate({ ...cur }, v) : v;
  }
  return dest;
}

/** `upd` merged over a copy of `base`: shallow (Salt's default) or deep (`grains_deep_merge`). */
export function mergeGrains(base: Dict, upd: Dict, deep: boolean): Dict {
  const out = structuredClone(base);
  return deep ? deepUpdate(out, structuredClone(upd)) : Object.assign(out, structuredClone(upd));
}

/** The grains a minion reports: core < config `grains:` < the app's; `id` is the minion id. */
export function grainsOf(core: Dict, config: MinionConfig, app: Dict): Dict {
  const deep = config.grains_deep_merge;
  const statics = isDict(config.grains) ? config.grains : {};
  const out = mergeGrains(mergeGrains(core, statics, deep), app, deep);
  out.id = config.id;
  return out;
}
