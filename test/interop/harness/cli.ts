import { execFile } from 'node:child_process';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (bounded by `timeout` ms) and returns its output; never throws on exit code. */
export function run(command: string, args: string[], timeout: number): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { timeout, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') {
          reject(new Error(`${command} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
          return;
        }
        resolve({ code: typeof err?.code === 'number' ? err.code : 0, stdout, stderr });
      },
    );
  });
}

/**
 * Parses the output of a salt command run with `--out json`: one JSON document, or several
 * concatenated ones (one per minion without --static), merged into one object.
 */
export function parseJsonOutput(stdout: string): Record<string, unknown> {
  const text = stdout.trim();
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    // fall through: several documents
  }
  const merged: Record<string, unknown> = {};
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') {
      if (depth === 0) start = i;
      depth++;
    } else if (ch === '}') {
      depth--;
      if (depth === 0 && start >= 0) {
        Object.assign(merged, JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>);
        start = -1;
      }
    }
  }
  if (depth !== 0) throw new Error(`unparseable salt JSON output:\n${stdout}`);
  return merged;
}
