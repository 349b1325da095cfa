/**
 * salt/utils/minions.py parse_target: split one compound word into engine, delimiter and
 * pattern with Salt's TARGET_REX. Salt 3008 engines: G P I J L N S E R T M; only G P I J
 * take a one-character delimiter before the '@' (`G;@os;Ubuntu`). A word that does not
 * parse (e.g. `G@` with no pattern, `X@foo`, `E;@x`) is a plain glob.
 */
export type Engine = 'G' | 'P' | 'I' | 'J' | 'L' | 'N' | 'S' | 'E' | 'R' | 'T' | 'M';

export interface ParsedWord {
  readonly engine: Engine | undefined;
  readonly delimiter: string | undefined;
  readonly pattern: string;
}

// (?P<engine>G|P|I|J|L|N|S|E|R|T|M)(?P<delimiter>(?<=G|P|I|J).)?@)?(?P<pattern>.+)$
// Python's `.` excludes only '\n'; `$` also matches before a final '\n'.
const TARGET_REX = /^(?:([GPIJLNSERTM])((?<=[GPIJ])[^\n])?@)?([^\n]+)\n?$/u;

export function parseTarget(word: string): ParsedWord {
  const m = TARGET_REX.exec(word);
  if (!m) return { engine: undefined, delimiter: undefined, pattern: word };
  return { engine: m[1] as Engine | undefined, delimiter: m[2], pattern: m[3] ?? '' };
}
