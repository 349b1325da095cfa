import { promises as fs } from 'node:fs';
import { ErrorCodes, ConfigError } from '@brine/contracts';

/** Creates each folder (and its parents) owner-only, as Salt's `verify_env` does; a failure is a config problem. */
export async function ensureDirs(paths: readonly string[], mode = 0o700): Promise<void> {
  for (const path of paths) {
    try {
      await fs.mkdir(path, { recursive: true, mode });
    } catch (error) {
      throw new ConfigError(ErrorCodes.CONFIG, `Cannot create ${path}: ${(error as Error).message}`, {
        cause: error,
        details: { path },
      });
    }
  }
}
