/**
 * @packageDocumentation
 * Salt's targeting as pure functions, self-contained (imports nothing else from Brine):
 * - `matchMinion`: the minion-side decision (salt/minion.py _target_load + salt/matchers);
 * - `selectMinions`: the master-side selection (salt/utils/minions.py CkMinions);
 * - `resolveNodegroupTarget` / `nodegroupComp`: nodegroup expansion (CLI and matchers);
 * - the primitives with Python's exact semantics: `fnmatch`, `pyReMatch`, `subdictMatch`,
 *   `parseAddress`/`parseNetwork`.
 */
export { TargetError } from './errors.js';
export type { TargetErrorReason } from './errors.js';
export { LIMITS } from './limits.js';
export { matchMinion, TARGET_TYPES } from './minion.js';
export type { MatchOptions, MatchResult, MinionSelf, Target, TargetType } from './minion.js';
export { selectMinions } from './master.js';
export type { MinionRecord, Selection, SelectOptions } from './master.js';
export { nodegroupComp, resolveNodegroupTarget } from './nodegroups.js';
export type { Nodegroups } from './nodegroups.js';
export { parseTarget } from './parse-target.js';
export type { Engine, ParsedWord } from './parse-target.js';
export { fnmatch } from './fnmatch.js';
export { compilePyRegex, pyReMatch, translatePyRegex } from './pyregex.js';
export { subdictMatch, traverse, traverseOr } from './subdict.js';
export type { MatchMode, SubdictOptions } from './subdict.js';
export { formatAddress, networkContains, parseAddress, parseIpTarget, parseNetwork } from './ipaddr.js';
export type { IpAddress, IpNetwork, IpTarget } from './ipaddr.js';
export { pyStr, pySplit } from './pystr.js';
