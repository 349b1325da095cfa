/**
 * Nodegroups, as Salt expands them:
 * - `nodegroupComp`: salt/utils/minions.py nodegroup_comp (recursive `N@` expansion with its
 *   recursion guard, the string and list forms, and `_nodegroup_regex`, which turns a
 *   definition without operators, wildcards or engines into one `L@a,b` or `E@...` word);
 * - `resolveNodegroupTarget`: what the salt CLI does before publishing (salt/client
 *   LocalClient._prep_pub): a `nodegroup` target becomes a `compound` one and every `N@`
 *   word of a compound target is expanded, so minions never see `N@`.
 */
import { TargetError } from './errors.js';
import { LIMITS } from './limits.js';
import { pySplit } from './pystr.js';

export type Nodegroups = Readonly<Record<string, string | readonly unknown[]>>;

const OPERS = new Set(['and', 'or', 'not', '(', ')']);
const REGEX_CHARS = ['(', '[', '{', '\\', '?', '}', ']', ')'];

function nodegroupRegex(words: readonly unknown[]): string[] | undefined {
  if (words.some((w) => typeof w === 'string' && OPERS.has(w))) return undefined;
  const strs = words.map((w) => {
    if (typeof w !== 'string') {
      // `"*" in x` on a non-str raises TypeError in Salt.
      throw new TargetError(`nodegroup definition holds a non-string word: ${JSON.stringify(w)}`, 'invalid');
    }
    return w;
  });
  if (strs.some((w) => w.includes('*') || /^[A-Z]@/.test(w))) return undefined;
  if (strs.some((w) => REGEX_CHARS.some((c) => w.includes(c)))) return [`E@${strs.join(',')}`];
  return [`L@${strs.join(',')}`];
}

interface State {
  words: number;
}

function comp(
  name: string,
  nodegroups: Nodegroups,
  skip: Set<string>,
  first: boolean,
  depth: number,
  st: State,
): string[] {
  if (depth > LIMITS.maxNodegroupDepth) {
    throw new TargetError(`nodegroups nest deeper than ${LIMITS.maxNodegroupDepth}`, 'too-large');
  }
  if (skip.has(name)) return []; // 'Failed nodegroup expansion: illegal nested nodegroup'
  if (!Object.hasOwn(nodegroups, name)) return []; // 'unknown nodegroup'
  const lookup = nodegroups[name];
  let words: readonly unknown[];
  if (typeof lookup === 'string') words = pySplit(lookup);
  else if (Array.isArray(lookup)) words = lookup;
  else return []; // neither a string, list nor tuple
  skip.add(name);
  const ret: string[] = [];
  let expanded = false;
  for (const raw of words) {
    const word = typeof raw === 'string' ? raw : String(raw);
    if (OPERS.has(word)) ret.push(word);
    else if (word.length >= 3 && word.startsWith('N@')) {
      expanded = true;
      ret.push(...comp(word.slice(2), nodegroups, skip, false, depth + 1, st));
    } else ret.push(word);
    st.words += 1;
    if (st.words > LIMITS.maxCompoundWords) {
      throw new TargetError(`nodegroup expansion exceeds ${LIMITS.maxCompoundWords} words`, 'too-large');
    }
  }
  if (ret.length > 0) {
    ret.unshift('(');
    ret.push(')');
  }
  skip.delete(name);
  if (expanded || !first) {
    if (!first) {
      const joined = nodegroupRegex(words);
      if (joined) return joined;
    }
    return ret;
  }
  const joined = nodegroupRegex(words);
  if (joined) return joined;
  return words.map((w) => (typeof w === 'string' ? w : String(w)));
}

/** salt.utils.minions.nodegroup_comp(name, nodegroups); `[]` where Salt returns "". */
export function nodegroupComp(name: string, nodegroups: Nodegroups): string[] {
  return comp(name, nodegroups, new Set(), true, 0, { words: 0 });
}

function resolveOne(name: string, nodegroups: Nodegroups): string[] {
  if (!Object.hasOwn(nodegroups, name)) {
    throw new TargetError(`Node group ${name} unavailable in the master config file`, 'invalid');
  }
  return nodegroupComp(name, nodegroups);
}

/**
 * The salt CLI's nodegroup handling before a publish (LocalClient._prep_pub): returns the
 * target and type to publish. Unknown nodegroups raise (Salt: SaltInvocationError
 * "Node group X unavailable in <conf_file>").
 */
export function resolveNodegroupTarget(
  tgt: string | readonly string[],
  tgtType: string,
  nodegroups: Nodegroups,
): { tgt: string | readonly string[]; tgtType: string } {
  let target: string | readonly string[] = tgt;
  let type = tgtType;
  if (type === 'nodegroup') {
    if (typeof target !== 'string') throw new TargetError('a nodegroup target must be a name', 'invalid');
    target = resolveOne(target, nodegroups);
    type = 'compound';
  }
  if (type !== 'compound') return { tgt: target, tgtType: type };
  const words = typeof target === 'string' ? pySplit(target) : target;
  const out: string[] = [];
  for (const word of words) {
    if (word.startsWith('N@') && word.length > 2) out.push(...resolveOne(word.slice(2), nodegroups));
    else out.push(word);
  }
  return { tgt: out.join(' '), tgtType: 'compound' };
}
