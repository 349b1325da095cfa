/**
 * Runs Salt's own minion-side checks (salt_auth_check.py) with a Python that has Salt installed:
 * `BRINE_SALT_PYTHON` when set (then it must work), else /tmp/saltvenv/v3008/bin/python or the
 * repository's .venv/salt-3008/bin/python (CI). Loopback only: the script opens no sockets.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const SCRIPT = join(here, 'salt_auth_check.py');
const REPO = join(here, '..', '..', '..', '..');

export type SaltPython = { python: string; version: string } | { python: undefined; reason: string };

let found: SaltPython | undefined;

/** The Python to run Salt with, or why there is none. Throws when BRINE_SALT_PYTHON is set but unusable. */
export function saltPython(): SaltPython {
  if (found) return found;
  const explicit = process.env.BRINE_SALT_PYTHON;
  const candidates = explicit
    ? [explicit]
    : ['/tmp/saltvenv/v3008/bin/python', join(REPO, '.venv', 'salt-3008', 'bin', 'python')];
  const tried: string[] = [];
  for (const python of candidates) {
    if (!existsSync(python)) {
      tried.push(`${python}: not found`);
      continue;
    }
    const probe = spawnSync(
      python,
      ['-c', 'import salt.crypt, salt.payload, salt.version; print(salt.version.__version__)'],
      {
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    if (probe.status === 0) return (found = { python, version: probe.stdout.trim() });
    tried.push(`${python}: cannot import salt (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`);
  }
  if (explicit) throw new Error(`BRINE_SALT_PYTHON is set but unusable: ${tried.join('; ')}`);
  return (found = { python: undefined, reason: `no Python with Salt installed (${tried.join('; ')})` });
}

export interface SaltCheckCase {
  id: string;
  nonce: string;
  minion_pem: string;
  minion_pub: string;
  master_pub: string;
  master_pem?: string;
  /** Write minion_master.pub before the sign-in check (the minion had pinned the master). */
  pinned: boolean;
  /** base64 of the sealed token the request carried. */
  request_token?: string;
  /** The clear token the minion sealed (its AsyncAuth.token). */
  clear_token?: string;
  /** base64 of the reply's signed load and clear signature. */
  reply: { load: string; sig: string };
}

export interface SaltCheckResult {
  primitives: {
    clear_signature_valid: boolean;
    nonce: string;
    aes?: string;
    sig_x931_recovered?: string;
    sig_matches_sha256_hex_of_aes?: boolean;
    token?: string;
    token_matches_request?: boolean;
    session?: string;
  };
  signin:
    | { aes: string; session: string | null; publish_port: number; pinned_after: boolean }
    | { result: unknown }
    | { error: string };
}

export function runSaltChecks(
  python: string,
  cases: SaltCheckCase[],
): { saltVersion: string; results: SaltCheckResult[] } {
  const run = spawnSync(python, [SCRIPT], { input: JSON.stringify(cases), encoding: 'utf8', timeout: 120_000 });
  if (run.status !== 0) throw new Error(`salt_auth_check.py failed (${run.status}): ${run.stderr || run.stdout}`);
  // Salt may log to stdout before the result: the result is the last line.
  const out = JSON.parse(run.stdout.trim().split('\n').pop()!) as { salt_version: string; results: SaltCheckResult[] };
  return { saltVersion: out.salt_version, results: out.results };
}
