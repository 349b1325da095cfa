import { yaml } from '../lazy-yaml.js';
import { ConfigError, ErrorCodes, type CryptoSuite, type DigestAlgorithm } from '@brine/contracts';
import {
  fnmatch,
  KEY_STATES,
  KeyManager,
  loadableIn,
  type KeyFingers,
  type KeyList,
  type KeyState,
  type MasterConfig,
} from '@brine/core';
import { FsKeyStore, writeRotateDropfile } from '@brine/core/node';
import { CONFIG_OPTIONS, oneOf, parseCommandArgs, usageError } from '../args.js';
import { loadContext } from '../context.js';
import { println, type Io } from '../io.js';
import { formatKeys, toSaltKeyData, type SaltKeyData } from '../output/key.js';
import { confirm } from '../prompt.js';
import { buildSuite } from '../wiring.js';
import { HELP } from './help.js';

const OPTIONS = {
  ...CONFIG_OPTIONS,
  'list-all': { type: 'boolean', short: 'L' },
  list: { type: 'string', short: 'l' },
  accept: { type: 'string', short: 'a' },
  'accept-all': { type: 'boolean', short: 'A' },
  reject: { type: 'string', short: 'r' },
  'reject-all': { type: 'boolean', short: 'R' },
  delete: { type: 'string', short: 'd' },
  'delete-all': { type: 'boolean', short: 'D' },
  finger: { type: 'string', short: 'f' },
  'finger-all': { type: 'boolean', short: 'F' },
  print: { type: 'string', short: 'p' },
  'print-all': { type: 'boolean', short: 'P' },
  yes: { type: 'boolean', short: 'y' },
  'include-rejected': { type: 'boolean' },
  'include-accepted': { type: 'boolean' },
  'include-denied': { type: 'boolean' },
  'include-all': { type: 'boolean' },
  out: { type: 'string' },
  id: { type: 'string' },
} as const;

type Action = 'list' | 'accept' | 'reject' | 'delete' | 'finger' | 'print';
const OUTS = ['key', 'json', 'yaml'] as const;
type Out = (typeof OUTS)[number];
const DIGESTS: readonly DigestAlgorithm[] = ['sha1', 'sha224', 'sha256', 'sha512'];

/** `-l` arguments, as salt-key reads them (a prefix is enough). */
function listState(arg: string): KeyState | 'all' {
  if (arg.startsWith('acc')) return 'accepted';
  if (arg.startsWith('pre') || arg.startsWith('un')) return 'pending';
  if (arg.startsWith('rej')) return 'rejected';
  if (arg.startsWith('den')) return 'denied';
  if (arg.startsWith('all')) return 'all';
  throw usageError(`--list takes accepted, unaccepted (pre), rejected, denied or all; got '${arg}'`);
}

/** `brine key`: salt-key on the master's pki_dir. */
export async function keyCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseCommandArgs('key', argv, OPTIONS);
  if (values.help) {
    println(io.stdout, HELP.key);
    return 0;
  }
  if (positionals.length > 0) {
    throw usageError(`brine key takes no positional arguments (got '${positionals[0]}'); use -a/-r/-d <glob>`);
  }
  const { action, match } = chooseAction(values);
  const out = oneOf('out', values.out, OUTS) ?? 'key';
  const { config, cli } = await loadContext('master', values, io);
  try {
    // Listing needs no crypto suite: not loading one is about a third of `brine key -L`'s start.
    const suite = action === 'list' ? undefined : (await buildSuite({ crypto: config.crypto }, cli.logger)).suite;
    const manager = keyManager(config, suite);
    const show = (data: SaltKeyData) => println(io.stdout, render(data, out));
    switch (action) {
      case 'list':
        return listKeys(manager, match, show);
      case 'finger':
        show(toSaltKeyData(await fingers(manager, match)));
        return 0;
      case 'print':
        show(await publicKeys(manager, match));
        return 0;
      default:
        return await changeKeys(io, manager, action, match, values, show);
    }
  } finally {
    await cli.close();
  }
}

function chooseAction(values: Record<string, unknown>): { action: Action; match: string } {
  const chosen: Array<{ action: Action; match: string; flag: string }> = [];
  const pick = (flag: string, action: Action, match: unknown) => {
    if (match !== undefined && match !== false) chosen.push({ action, match: String(match), flag });
  };
  pick('-L', 'list', values['list-all'] ? 'all' : undefined);
  pick('-l', 'list', values.list);
  pick('-a', 'accept', values.accept);
  pick('-A', 'accept', values['accept-all'] ? '*' : undefined);
  pick('-r', 'reject', values.reject);
  pick('-R', 'reject', values['reject-all'] ? '*' : undefined);
  pick('-d', 'delete', values.delete);
  pick('-D', 'delete', values['delete-all'] ? '*' : undefined);
  pick('-f', 'finger', values.finger);
  pick('-F', 'finger', values['finger-all'] ? '*' : undefined);
  pick('-p', 'print', values.print);
  pick('-P', 'print', values['print-all'] ? '*' : undefined);
  if (chosen.length > 1) throw usageError(`choose one action, not ${chosen.map((c) => c.flag).join(' and ')}`);
  const only = chosen[0] ?? { action: 'list', match: 'all', flag: '-L' };
  if (only.match === '') throw usageError(`${only.flag} needs a minion id or glob`);
  return only;
}

/** What a listing-only KeyManager gets instead of a suite (it never digests). */
const NO_DIGEST: Pick<CryptoSuite, 'digest'> = {
  digest: () => {
    throw new ConfigError(ErrorCodes.CONFIG, 'brine key: no crypto suite loaded for a listing');
  },
};

/** KeyManager on the master's pki_dir; a reject or delete writes the rotation dropfile (Salt's `rotate_aes_key`). */
function keyManager(config: MasterConfig & Record<string, unknown>, suite: CryptoSuite | undefined): KeyManager {
  const hash = config.hash_type;
  const algorithm = DIGESTS.includes(hash as DigestAlgorithm) ? (hash as DigestAlgorithm) : 'sha256';
  return new KeyManager(new FsKeyStore(config.pki_dir), suite ?? NO_DIGEST, {
    finger: { algorithm },
    ...(suite ? { isAcceptableKey: loadableIn(suite) } : {}),
    // One unreadable or oversized key file is reported and skipped; the bulk operation goes on.
    onSkip: ({ state, id, error }) => {
      process.stderr.write(`Skipping the ${state} key of ${id}: ${error.message}\n`);
    },
    onChange: async (change) => {
      if (change.rotate && config.rotate_aes_key) await writeRotateDropfile(config.cachedir, config.id);
    },
  });
}

function render(data: SaltKeyData, out: Out): string {
  if (out === 'json') return JSON.stringify(data, null, 4);
  if (out === 'yaml') return yaml().stringify(data).trimEnd();
  return formatKeys(data);
}

async function listKeys(manager: KeyManager, match: string, show: (d: SaltKeyData) => void): Promise<number> {
  const state = listState(match);
  const all = await manager.list();
  show(toSaltKeyData(state === 'all' ? all : ({ [state]: all[state] } as Partial<KeyList>)));
  return 0;
}

/** salt-key -f: the matching minion keys, and the master's own keys (Local Keys) whose names match. */
async function fingers(manager: KeyManager, match: string): Promise<KeyFingers> {
  const local = (await manager.finger('local')).local ?? {};
  if (match === 'local') return { local };
  const items = match.split(',');
  const localHits = Object.fromEntries(Object.entries(local).filter(([name]) => items.some((i) => fnmatch(name, i))));
  const minions = await manager.finger(match);
  return Object.keys(localHits).length > 0 ? { local: localHits, ...minions } : minions;
}

async function publicKeys(manager: KeyManager, match: string): Promise<SaltKeyData> {
  const matches = await manager.match(match);
  const out: Partial<Record<KeyState, Record<string, string>>> = {};
  for (const state of KEY_STATES) {
    for (const id of matches[state]) {
      const pem = await manager.readKey(state, id);
      if (pem !== undefined) (out[state] ??= {})[id] = pem;
    }
  }
  return toSaltKeyData(out as KeyFingers);
}

const PAST: Readonly<Record<string, string>> = { accept: 'accepted', reject: 'rejected', delete: 'deleted' };

async function changeKeys(
  io: Io,
  manager: KeyManager,
  action: 'accept' | 'reject' | 'delete',
  match: string,
  values: Record<string, unknown>,
  show: (d: SaltKeyData) => void,
): Promise<number> {
  const includeAll = values['include-all'] === true;
  const include = {
    accepted: action === 'reject' && (includeAll || values['include-accepted'] === true),
    rejected: action === 'accept' && (includeAll || values['include-rejected'] === true),
    denied: action !== 'delete' && values['include-denied'] === true,
  };
  const matches = await manager.match(match);
  const selected: Partial<KeyList> = {};
  for (const state of KEY_STATES) {
    const wanted = action === 'delete' || state === 'pending' || include[state as keyof typeof include];
    if (wanted && matches[state].length > 0) selected[state] = matches[state];
  }
  if (Object.keys(selected).length === 0) {
    println(io.stdout, noMatch(action, match, include));
    return 0;
  }
  println(io.stdout, `The following keys are going to be ${PAST[action]}:`);
  show(toSaltKeyData(selected));
  if (values.yes !== true) {
    if (!io.interactive) {
      throw usageError(
        `Not ${action === 'delete' ? 'deleting' : `${action}ing`} keys without confirmation: pass -y/--yes (stdin is not a terminal)`,
      );
    }
    const proceed = await confirm(io, action === 'delete' ? 'Proceed? [N/y] ' : 'Proceed? [n/Y] ', action !== 'delete');
    if (!proceed) return 0;
  }
  // Act on exactly the keys shown, as salt-key does (its match_dict).
  const ids = [...new Set(Object.values(selected).flat())].join(',');
  const done =
    action === 'accept'
      ? await manager.accept(ids, { includeRejected: include.rejected, includeDenied: include.denied })
      : action === 'reject'
        ? await manager.reject(ids, { includeAccepted: include.accepted, includeDenied: include.denied })
        : await manager.delete(ids);
  for (const id of done) println(io.stdout, `Key for minion ${id} ${PAST[action]}.`);
  return 0;
}

function noMatch(action: string, match: string, include: Record<'accepted' | 'rejected' | 'denied', boolean>): string {
  if (action === 'delete') return `The key glob '${match}' does not match any keys.`;
  const statuses = ['unaccepted', ...(['accepted', 'rejected', 'denied'] as const).filter((s) => include[s])];
  const text = statuses.length === 1 ? statuses[0] : `${statuses.slice(0, -1).join(', ')} or ${statuses.at(-1)}`;
  return `The key glob '${match}' does not match any ${text} keys.`;
}
