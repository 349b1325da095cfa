import { createInterface } from 'node:readline/promises';
import type { Io } from './io.js';

/** Asks a yes/no question on the terminal; an empty answer takes `defaultYes`. */
export async function confirm(io: Io, question: string, defaultYes: boolean): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout, terminal: io.interactive });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === '' ? defaultYes : answer.startsWith('y');
  } finally {
    rl.close();
  }
}
