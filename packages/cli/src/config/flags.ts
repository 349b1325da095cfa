import { intOption, usageError } from '../args.js';

/** Command-line flags and the Salt options they set. */
const STRING_FLAGS: Readonly<Record<string, string>> = {
  'log-level': 'log_level',
  'log-file': 'log_file',
  'log-file-level': 'log_level_logfile',
  'log-fmt-console': 'log_fmt_console',
  'log-fmt-logfile': 'log_fmt_logfile',
  'pki-dir': 'pki_dir',
  cachedir: 'cachedir',
  'sock-dir': 'sock_dir',
  transport: 'transport',
  crypto: 'crypto',
  id: 'id',
  master: 'master',
  interface: 'interface',
};

const PORT_FLAGS: Readonly<Record<string, string>> = {
  'master-port': 'master_port',
  'publish-port': 'publish_port',
  'ret-port': 'ret_port',
};

/** The config overrides that parsed flags ask for (only the flags given). */
export function flagsToOverrides(values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(STRING_FLAGS)) {
    if (typeof values[flag] === 'string') out[option] = values[flag];
  }
  for (const [flag, option] of Object.entries(PORT_FLAGS)) {
    const port = intOption(flag, values[flag] as string | undefined);
    if (port === undefined) continue;
    if (port > 65535) throw usageError(`--${flag} must be a port number (0-65535), got ${port}`);
    out[option] = port;
  }
  return out;
}
