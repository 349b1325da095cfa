import { performance } from 'node:perf_hooks';
import type { AuthTransition, Minion, SaltEvent } from '@brine/core';
import { println, type Io } from '../io.js';
import { pyRepr } from '../output/python-repr.js';

/** The demo's story on stdout: `  +123 ms  alpha    auth idle -> signing-in`. */
export class Narrator {
  private readonly t0 = performance.now();
  /** Each minion's auth states, from `idle`. */
  readonly paths = new Map<string, string[]>();
  /** The `salt/auth` acts the master fired for each minion. */
  readonly authActs = new Map<string, string[]>();

  constructor(private readonly io: Io) {}

  /** Milliseconds since the demo started. */
  elapsed(): number {
    return performance.now() - this.t0;
  }

  say(who: string, text: string): void {
    println(this.io.stdout, `${`+${Math.round(this.elapsed())} ms`.padStart(10)}  ${who.padEnd(8)} ${text}`);
  }

  section(title: string): void {
    println(this.io.stdout);
    println(this.io.stdout, `== ${title}`);
  }

  /** A block of text (a key listing, returns), indented. */
  block(text: string, indent = 4): void {
    for (const line of text.split('\n')) println(this.io.stdout, `${' '.repeat(indent)}${line}`);
  }

  /** Tells the master's auth, key and minion-start events. */
  masterEvent(event: SaltEvent): void {
    const id = String(event.data.id ?? '');
    if (event.tag === 'salt/auth') {
      const acts = this.authActs.get(id) ?? [];
      this.authActs.set(id, [...acts, String(event.data.act)]);
      this.say('master', `salt/auth ${id} act=${String(event.data.act)}`);
    } else if (event.tag === 'salt/key') {
      this.say('master', `salt/key ${id} act=${String(event.data.act)}`);
    } else if (event.tag.startsWith('salt/minion/') && event.tag.endsWith('/start')) {
      this.say('master', event.tag);
    }
  }

  /** Tells a minion's auth transitions, jobs and returns (`onReturn` hears each acknowledged return). */
  watchMinion(minion: Minion, onReturn: (jid: string) => void): void {
    const id = minion.id;
    this.paths.set(id, ['idle']);
    minion.events.on('auth', (t: AuthTransition) => {
      this.paths.get(id)!.push(t.to);
      const retry = t.retryIn !== undefined ? ` (retry in ${t.retryIn} s)` : '';
      this.say(id, `auth ${t.from} -> ${t.to}${retry}${t.error ? ` [${t.error.code}]` : ''}`);
    });
    minion.events.on('job', (load) => this.say(id, `job ${String(load.fun)} jid ${String(load.jid)}`));
    minion.events.on('return', (ret, sent) => {
      this.say(id, `${sent ? 'returned' : 'could not return'} ${pyRepr(ret.return)}`);
      if (sent) onReturn(String(ret.jid));
    });
  }

  /** `alpha    idle -> signing-in -> pending (3 tries) -> signing-in -> authenticated   (master: salt/auth pend x3, accept)`. */
  handshake(id: string): void {
    this.say(
      id,
      `${describePath(this.paths.get(id) ?? [])}   (master: salt/auth ${describeActs(this.authActs.get(id) ?? [])})`,
    );
  }
}

/** `idle -> signing-in -> pending (3 tries) -> signing-in -> authenticated`. */
export function describePath(path: readonly string[]): string {
  return path.join(' -> ').replace(/(?:pending -> signing-in -> )+/, (loop) => {
    const tries = loop.split('pending').length - 1;
    return tries > 1 ? `pending (${tries} tries) -> signing-in -> ` : loop;
  });
}

/** `pend x3, accept`. */
export function describeActs(acts: readonly string[]): string {
  const out: Array<[string, number]> = [];
  for (const act of acts) {
    const last = out[out.length - 1];
    if (last && last[0] === act) last[1]++;
    else out.push([act, 1]);
  }
  return out.map(([act, n]) => (n > 1 ? `${act} x${n}` : act)).join(', ');
}

const NAMES = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta', 'iota', 'kappa', 'lambda', 'mu'];

/** Minion ids for the demo: Greek letters, then `minion-13`, `minion-14`, ... */
export function demoMinionIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => NAMES[i] ?? `minion-${i + 1}`);
}
