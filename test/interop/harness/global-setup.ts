import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from './venvs.js';

/**
 * Vitest global setup: makes sure the default Salt venvs exist by running scripts/setup-salt.sh
 * (idempotent; under a second when they are already there). Skipped when BRINE_SALT_VENVS points
 * elsewhere or BRINE_SALT_SKIP_SETUP=1.
 */
export default function setup(): void {
  if (process.env.BRINE_SALT_VENVS?.trim() || process.env.BRINE_SALT_SKIP_SETUP === '1') return;
  execFileSync('bash', [join(REPO_ROOT, 'scripts', 'setup-salt.sh')], { stdio: 'inherit', timeout: 15 * 60_000 });
}
