import { TargetError } from './errors.js';

/**
 * Bounds on hostile input. Salt has none of these; they only refuse input far larger than
 * any real target, so that one publish cannot cost a minion or the master unbounded work.
 */
export const LIMITS = {
  /** Characters in a whole target expression (string form, or the joined list form). */
  maxTargetLength: 64 * 1024,
  /** Words in a compound expression, after nodegroup expansion. */
  maxCompoundWords: 4096,
  /** Parenthesis nesting depth of a compound expression. */
  maxNestingDepth: 64,
  /** Nesting depth of nodegroups referring to nodegroups. */
  maxNodegroupDepth: 32,
  /** Characters in one regular expression or glob pattern. */
  maxPatternLength: 4096,
  /** Distinct terms a minion cannot evaluate (no grains / no pillar) in one compound. */
  maxUnknownTerms: 8,
} as const;

export function checkLength(what: string, value: string, max: number): void {
  if (value.length > max) {
    throw new TargetError(`${what} is ${value.length} characters, over the limit of ${max}`, 'too-large');
  }
}
