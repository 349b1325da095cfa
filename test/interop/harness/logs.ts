/** One log record: its first line plus continuation lines (tracebacks, repr dumps). */
export interface LogRecord {
  level: string;
  text: string;
}

const HEADER = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \[[^\]]*\]\[([A-Z]+) *\]/;

/** Splits a Salt log file (`<date> <time> [<logger>:<line>][<LEVEL>   ][<pid>] <message>`) into records. */
export function logRecords(log: string): LogRecord[] {
  const records: LogRecord[] = [];
  for (const line of log.split('\n')) {
    const header = HEADER.exec(line);
    if (header) records.push({ level: header[1] ?? '', text: line });
    else if (records.length > 0) records[records.length - 1]!.text += `\n${line}`;
  }
  return records;
}

/**
 * Harmless ERROR records real Salt 3007.13 / 3008.4 log in a normal run (see README, "Quirks").
 * Each is matched against the whole record (header + continuation lines).
 */
export const KNOWN_SALT_ERRORS: Record<string, RegExp> = {
  /** Minion, every version: the normal "key is pending" state until salt-key accepts it. */
  pendingKey: /The Salt Master has cached the public key for this node/,
  /** ws, both versions, master and minion: salt's ws RequestClient never closes its aiohttp session. */
  wsUnclosedSession:
    /\[asyncio +:\d+ *\]\[ERROR +\]\[\d+\] Unclosed client session\nclient_session: <aiohttp\.client\.ClientSession/,
  /** 3007 ws master: the request handler returns None once the per-request client has closed. */
  wsMissingReturn:
    /Missing return statement on request handler\nTraceback[\s\S]*AttributeError: 'NoneType' object has no attribute 'prepare'/,
  /**
   * asyncio noise about salt's own background tasks: 3008's IPC PubServer._drain_loop (minion job
   * threads with multiprocessing: False) and 3007's ws RequestClient._close, garbage-collected while
   * pending, or finished with "RuntimeError: cannot reuse already awaited coroutine".
   */
  asyncioTaskNoise:
    /(Task was destroyed but it is pending!|Task exception was never retrieved)\n(task|future): <Task \w+ name='Task-\d+' coro=<(PubServer\._drain_loop|RequestClient\._close)\(\)/,
};

/** ERROR and CRITICAL records (first line + traceback) that match none of `allowed`. */
export function logProblems(log: string, allowed: RegExp[] = Object.values(KNOWN_SALT_ERRORS)): string[] {
  return logRecords(log)
    .filter((r) => r.level === 'ERROR' || r.level === 'CRITICAL')
    .filter((r) => !allowed.some((re) => re.test(r.text)))
    .map((r) => r.text);
}
