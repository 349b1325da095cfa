import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseJsonOutput, run, type CommandResult } from './cli.js';
import { waitFor } from './wait.js';
import { saltBin, type SaltVenv } from './venvs.js';

/** `salt-key -L --out json`. */
export interface KeyList {
  minions: string[];
  minions_pre: string[];
  minions_rejected: string[];
  minions_denied: string[];
}

export interface SaltKeyCommands {
  /** Runs `salt-key -c <confDir> <args...>`; throws if it exits non-zero. */
  saltKey(args: string[]): Promise<CommandResult>;
  /** `salt-key -L --out json`. */
  listKeys(): Promise<KeyList>;
  /** `salt-key -a <id> -y`; throws unless salt-key reports the key accepted. */
  acceptKey(id: string): Promise<void>;
  /** `salt-key -r <id> -y`; throws unless salt-key reports the key rejected. */
  rejectKey(id: string): Promise<void>;
  /** `salt-key -d <id> -y`; throws unless salt-key reports the key deleted. */
  deleteKey(id: string): Promise<void>;
  /**
   * Waits until `salt-key -L` lists `id` as pending (minions_pre), bounded by `timeout` ms
   * (default 60 000). salt-key is only run once `<pki_dir>/minions_pre/<id>` exists, so the poll
   * itself costs no Python start-ups (each salt-key run is ~0.4 s of CPU).
   */
  waitForPendingKey(id: string, timeout?: number): Promise<void>;
}

const KEY_TIMEOUT_MS = 30_000;

function asList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

export interface KeyCliCommands {
  /** Runs the command with `args`; throws if it exits non-zero. */
  exec(args: string[]): Promise<CommandResult>;
  listKeys(): Promise<KeyList>;
  acceptKey(id: string): Promise<void>;
  rejectKey(id: string): Promise<void>;
  deleteKey(id: string): Promise<void>;
}

/**
 * List/accept/reject/delete over a salt-key compatible command line (`salt-key`, `brine key`):
 * `label` names it in errors, `spawn` runs it with the given arguments.
 */
export function keyCliCommands(label: string, spawn: (args: string[]) => Promise<CommandResult>): KeyCliCommands {
  const exec = async (args: string[]): Promise<CommandResult> => {
    const res = await spawn(args);
    if (res.code !== 0) {
      throw new Error(`${label} ${args.join(' ')} exited ${res.code}:\n${res.stdout}\n${res.stderr}`);
    }
    return res;
  };
  const listKeys = async (): Promise<KeyList> => {
    const out = parseJsonOutput((await exec(['-L', '--out', 'json'])).stdout);
    return {
      minions: asList(out.minions),
      minions_pre: asList(out.minions_pre),
      minions_rejected: asList(out.minions_rejected),
      minions_denied: asList(out.minions_denied),
    };
  };
  // Both print e.g. "Key for minion <id> accepted." for each key they acted on.
  const act = async (flag: string, id: string, verb: string): Promise<void> => {
    const res = await exec([flag, id, '-y']);
    if (!res.stdout.includes(`Key for minion ${id} ${verb}.`)) {
      throw new Error(`${label} ${flag} ${id}: no "${verb}" confirmation:\n${res.stdout}\n${res.stderr}`);
    }
  };
  return {
    exec,
    listKeys,
    acceptKey: (id) => act('-a', id, 'accepted'),
    rejectKey: (id) => act('-r', id, 'rejected'),
    deleteKey: (id) => act('-d', id, 'deleted'),
  };
}

export function saltKeyCommands(venv: SaltVenv, confDir: string, pkiDir: string): SaltKeyCommands {
  const {
    exec: saltKey,
    listKeys,
    acceptKey,
    rejectKey,
    deleteKey,
  } = keyCliCommands('salt-key', (args) => run(saltBin(venv, 'salt-key'), ['-c', confDir, ...args], KEY_TIMEOUT_MS));
  return {
    saltKey,
    listKeys,
    acceptKey,
    rejectKey,
    deleteKey,
    async waitForPendingKey(id, timeout = 60_000) {
      const pendingFile = join(pkiDir, 'minions_pre', id);
      await waitFor(async () => existsSync(pendingFile) && (await listKeys()).minions_pre.includes(id), {
        timeout,
        interval: 100,
        what: `minion ${id} to appear in pending keys (salt-key -L)`,
      });
    },
  };
}
