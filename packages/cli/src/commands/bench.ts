import type { Io } from '../io.js';

/** `brine bench`: the benchmark harness of @brine/bench (same options as `brine-bench`). */
export async function benchCommand(argv: string[], _io: Io): Promise<number> {
  const { main } = await import('@brine/bench');
  return main(argv);
}
