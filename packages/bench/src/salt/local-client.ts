/** Salt's own job path: LocalClient.cmd (publish, then wait for every targeted minion's return), timed in Python. */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { BrineError, ErrorCodes } from '@brine/contracts';
import type { SaltVenv } from './venv.js';

const SCRIPT = `
import json, sys, time
import salt.client
conf, tgt, fun, jobs, expected, timeout = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
client = salt.client.LocalClient(conf)
client.cmd(tgt, fun, timeout=timeout)  # warm-up
returns = 0
complete = True
start = time.perf_counter()
for _ in range(jobs):
    ret = client.cmd(tgt, fun, timeout=timeout)
    returns += len(ret)
    complete = complete and len(ret) >= expected
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "jobs": jobs, "returns": returns, "complete": complete}))
`;

export interface JobsResult {
  seconds: number;
  jobs: number;
  returns: number;
  complete: boolean;
}

export function saltJobs(
  venv: SaltVenv,
  confFile: string,
  tgt: string,
  jobs: number,
  expected: number,
  timeoutSeconds = 30,
): Promise<JobsResult> {
  const args = ['-c', SCRIPT, confFile, tgt, 'test.ping', String(jobs), String(expected), String(timeoutSeconds)];
  return new Promise((resolve, reject) => {
    execFile(
      join(venv.path, 'bin', 'python'),
      args,
      { timeout: (jobs + 2) * (timeoutSeconds + 5) * 1000, killSignal: 'SIGKILL', maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        const line = stdout.trim().split('\n').pop() ?? '';
        try {
          resolve(JSON.parse(line) as JobsResult);
        } catch {
          reject(
            new BrineError(ErrorCodes.REMOTE, `salt LocalClient failed: ${error?.message ?? ''} ${stderr.slice(-400)}`),
          );
        }
      },
    );
  });
}
