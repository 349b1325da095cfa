import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { StopWaiting, waitFor } from './wait.js';

export interface Daemon {
  child: ChildProcess;
  /** Process group id (= pid of the leader, started with detached: true). */
  pgid: number;
}

/**
 * Starts a daemon in the foreground, as leader of its own process group, with stdout and stderr
 * appended to `consoleFile` (a file, not a pipe, so a chatty daemon can never block on it).
 */
export function spawnDaemon(
  command: string,
  args: string[],
  consoleFile: string,
  env: NodeJS.ProcessEnv = process.env,
): Daemon {
  const fd = openSync(consoleFile, 'a');
  try {
    const child = spawn(command, args, { detached: true, stdio: ['ignore', fd, fd], env });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on('error', () => undefined);
    return { child, pgid: child.pid };
  } finally {
    closeSync(fd);
  }
}

/**
 * Live (non-zombie) members of a process group, read from /proc. A zombie is not counted: an
 * orphaned zombie may wait for a reaper that never comes (PID 1 in a container), but it holds no
 * resources and runs no code. Falls back to kill(-pgid, 0) where /proc is missing.
 */
export function groupMembers(pgid: number): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    try {
      process.kill(-pgid, 0);
      return [pgid];
    } catch {
      return [];
    }
  }
  const members: number[] = [];
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // pid (comm) state ppid pgrp ... ; comm may contain spaces or parentheses.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const state = fields[0];
    const pgrp = Number(fields[2]);
    if (pgrp === pgid && state !== 'Z' && state !== 'X') members.push(Number(entry));
  }
  return members;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // group already gone
  }
}

/** Stops a whole process group: SIGTERM, then SIGKILL if it is still there after `graceMs`. */
export async function stopGroup(pgid: number, graceMs = 10_000): Promise<void> {
  if (groupMembers(pgid).length === 0) return;
  signalGroup(pgid, 'SIGTERM');
  try {
    await waitFor(() => groupMembers(pgid).length === 0, {
      timeout: graceMs,
      interval: 50,
      what: `process group ${pgid} to exit on SIGTERM`,
    });
    return;
  } catch {
    signalGroup(pgid, 'SIGKILL');
  }
  await waitFor(() => groupMembers(pgid).length === 0, {
    timeout: 5_000,
    interval: 50,
    what: `process group ${pgid} to exit on SIGKILL`,
  });
}

/** Is anything of this process group still running? */
export function isRunning(pgid: number): boolean {
  return groupMembers(pgid).length > 0;
}

export function tail(text: string, lines = 40): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** Throws StopWaiting if the daemon's leader process has exited (with the end of its console output). */
export function exitedEarly(daemon: Daemon, name: string, consoleFile: string): void {
  const { exitCode, signalCode } = daemon.child;
  if (exitCode === null && signalCode === null) return;
  let output = '';
  try {
    output = readFileSync(consoleFile, 'utf8');
  } catch {
    // no console file
  }
  throw new StopWaiting(`${name} exited early (${exitCode ?? signalCode}):\n${tail(output)}`);
}
