import type { MinionConfig } from '../../config/types.js';
import type { GrainsProvider } from '../../minion/grains.js';
import { SALT_COMPAT_VERSION } from '../../minion/modules.js';
import { collectGrains } from './index.js';

/**
 * The core grains of this host for a minion with `config` (the provider `createMinion` takes as
 * `wiring.grains`): what a salt-minion 3008 reports on Linux (see `collectGrains`). Static grains
 * (`grains:`) are merged by the minion itself, over these.
 */
export function nodeGrains(config: Pick<MinionConfig, 'id' | 'master' | 'enable_fqdns_grains'>): GrainsProvider {
  return ({ refresh }) =>
    collectGrains({
      id: config.id,
      master: config.master,
      saltversion: SALT_COMPAT_VERSION,
      fqdns: config.enable_fqdns_grains,
      refresh,
    });
}
