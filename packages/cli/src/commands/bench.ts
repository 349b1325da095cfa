import { ConfigError, ErrorCodes } from '@brine/contracts';
import type { Io } from '../io.js';

/**
 * `brine bench`: the benchmark harness of @brine/bench (same options as `brine-bench`). The bench is
 * an optional peer of the CLI, so `npm i -g @brine/cli` does not install it; it loads here, on use.
 */
export async function benchCommand(argv: string[], _io: Io): Promise<number> {
  let bench: { main(argv: string[]): Promise<number> };
  try {
    bench = (await import('@brine/bench')) as typeof bench;
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && String(error).includes('@brine/bench');
    if (!missing) throw error;
    throw new ConfigError(
      ErrorCodes.INVALID_ARGUMENT,
      'brine bench needs the benchmark harness: npm i @brine/bench (it is an optional peer of @brine/cli)',
      { cause: error },
    );
  }
  return bench.main(argv);
}
