import { promises as fs, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { ErrorCodes, ConfigError } from '@brine/contracts';
import { fnmatch, resolveMasterConfig, resolveMinionConfig, type MasterConfig, type MinionConfig } from '@brine/core';
import { pluginNameProblem } from '@brine/core/node';
import { toLogLevel } from '../logging.js';
import { applyRootDir } from './paths.js';
import { checkRanges, unknownOptionNotes, withSource } from './validate.js';
import { parseSaltYaml } from './yaml.js';

export type Role = 'master' | 'minion';

/** Salt's default config dir (`-c`). */
export const DEFAULT_CONFIG_DIR = '/etc/salt';

export interface ConfigSource {
  /** `-c/--config-dir`: reads `<dir>/<role>`, then `<dir>/<role>.d/*.conf` (Salt's `default_include`). */
  configDir?: string | undefined;
  /** `--config`: this file (it must exist), then its `<role>.d/*.conf` includes. */
  configFile?: string | undefined;
  /** Command-line flags by Salt option name; they win over the files. Undefined values are ignored. */
  overrides?: Record<string, unknown>;
}

/** Config options by Salt name, as read (values not yet checked against Brine's types). */
export type Options = Record<string, unknown>;

export interface LoadedConfig<C> {
  /** Salt's defaults, then the files, then the flags; options Brine does not know are kept. */
  config: C & Options;
  /** The files read, in order. */
  files: string[];
  /** What loading did, for the debug log once the logger exists ("Reading configuration from ..."). */
  notes: string[];
  /** Likely mistakes (a misspelled option), for the warning log. */
  warnings: string[];
}

/** Reads a daemon's config as Salt does. Throws ConfigError (exit code 2) for bad YAML or values. */
export async function loadConfig(role: 'master', source?: ConfigSource): Promise<LoadedConfig<MasterConfig>>;
export async function loadConfig(role: 'minion', source?: ConfigSource): Promise<LoadedConfig<MinionConfig>>;
export async function loadConfig(
  role: Role,
  source: ConfigSource = {},
): Promise<LoadedConfig<MasterConfig | MinionConfig>> {
  const notes: string[] = [];
  const files: string[] = [];
  const explicit = source.configFile !== undefined;
  const path = resolve(source.configFile ?? join(source.configDir ?? DEFAULT_CONFIG_DIR, role));
  let options: Options = {};
  const sources = new Map<string, string>();
  const record = (values: Options, where: string): Options => {
    for (const key of Object.keys(values)) sources.set(key, where);
    return values;
  };
  const text = await readText(path);
  if (text === undefined) {
    if (explicit)
      throw new ConfigError(ErrorCodes.CONFIG, `Config file ${path} does not exist`, { details: { file: path } });
    notes.push(`Missing configuration file: ${path}`);
  } else {
    notes.push(`Reading configuration from ${path}`);
    files.push(path);
    options = record(toOptions(parseSaltYaml(text, path), path), path);
  }
  const include = typeof options.default_include === 'string' ? options.default_include : `${role}.d/*.conf`;
  for (const file of await includedFiles(dirname(path), include)) {
    notes.push(`Including configuration from '${file}'`);
    notes.push(`Reading configuration from ${file}`);
    files.push(file);
    options = { ...options, ...record(toOptions(parseSaltYaml((await readText(file)) ?? '', file), file), file) };
  }
  const merged = { ...options, ...record(defined(source.overrides ?? {}), 'the command line') };
  const { warnings, notes: unused } = unknownOptionNotes(merged, role, sources);
  notes.push(...unused);
  let config: (MasterConfig | MinionConfig) & Options;
  try {
    checkCommon(merged);
    checkRanges(merged, sources);
    config = role === 'master' ? (resolveMasterConfig(merged) as MasterConfig & Options) : resolveMinion(merged, path);
  } catch (error) {
    throw withSource(error, sources);
  }
  return { config: applyRootDir(config), files, notes, warnings };
}

function resolveMinion(options: Options, path: string): MinionConfig & Options {
  const id = options.id;
  if (id === undefined || id === null || id === '') {
    // Salt's get_id: the cached minion_id file next to the config, else the host's name.
    options.id = defaultMinionId(path);
  }
  if (typeof id === 'number') options.id = String(id); // `id: 1234` in YAML is still an id
  return resolveMinionConfig(options) as MinionConfig & Options;
}

/** Values the core's type check cannot judge: names from a fixed list. */
function checkCommon(options: Options): void {
  if (options.log_level !== undefined) toLogLevel(options.log_level, 'log_level');
  if (options.log_level_logfile !== undefined && options.log_level_logfile !== null) {
    toLogLevel(options.log_level_logfile, 'log_level_logfile');
  }
  for (const kind of ['transport', 'crypto'] as const) {
    const problem = options[kind] === undefined ? undefined : pluginNameProblem(kind, options[kind]);
    if (problem) throw new ConfigError(ErrorCodes.CONFIG, problem, { details: { option: kind } });
  }
  const metricsPort = options.metrics_port;
  if (metricsPort !== undefined && metricsPort !== null && metricsPort !== '' && typeof metricsPort !== 'number') {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `metrics_port must be a port number (0 picks a free one), got ${JSON.stringify(metricsPort)}`,
      { details: { option: 'metrics_port' } },
    );
  }
  if (options.metrics_host !== undefined && options.metrics_host !== null && typeof options.metrics_host !== 'string') {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `metrics_host must be an address, got ${JSON.stringify(options.metrics_host)}`,
      {
        details: { option: 'metrics_host' },
      },
    );
  }
  for (const option of ['log_fmt_console', 'log_fmt_logfile'] as const) {
    const value = options[option];
    // `json`, `text`, or a Salt (Python) format string, which Brine does not interpret: its text format stays.
    const known = typeof value === 'string' && (/^(json|text)$/i.test(value.trim()) || value.includes('%('));
    if (value !== undefined && value !== null && !known) {
      throw new ConfigError(
        ErrorCodes.CONFIG,
        `${option} must be 'json', 'text' or a Salt format string, got ${JSON.stringify(value)}`,
        { details: { option } },
      );
    }
  }
  if (options.log_file !== undefined && options.log_file !== null && typeof options.log_file !== 'string') {
    throw new ConfigError(ErrorCodes.CONFIG, `log_file must be a path, got ${JSON.stringify(options.log_file)}`, {
      details: { option: 'log_file' },
    });
  }
}

function toOptions(value: unknown, file: string): Options {
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `${file} must hold a mapping of option: value, not a ${Array.isArray(value) ? 'list' : typeof value}`,
      {
        details: { file },
      },
    );
  }
  return value as Options;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await fs.readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    if (code === 'EISDIR') throw new ConfigError(ErrorCodes.CONFIG, `${path} is a directory, not a config file`);
    throw new ConfigError(ErrorCodes.CONFIG, `Cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** Salt's `default_include` (`master.d/*.conf`): the matching files, sorted, relative to the config's folder. */
async function includedFiles(configDir: string, pattern: string): Promise<string[]> {
  const full = isAbsolute(pattern) ? pattern : join(configDir, pattern);
  const dir = dirname(full);
  const glob = basename(full);
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => fnmatch(n, glob))
    .sort()
    .map((n) => join(dir, n));
}

function defined(o: Options): Options {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/**
 * Salt's `salt.config.get_id` without an `id:`: the `minion_id` file in the config directory (Salt
 * caches the generated id there, `minion_id_caching`), else `generate_minion_id()`: the host's
 * fully qualified name, or its short name, never `localhost`.
 */
function defaultMinionId(path: string): string {
  const cached = readMinionIdFile(join(dirname(path), 'minion_id'));
  if (cached) return cached;
  const name = hostname().trim();
  if (name === '' || name === 'localhost' || name.startsWith('localhost.')) {
    throw new ConfigError(
      ErrorCodes.CONFIG,
      `The minion id is not set and the host name is '${name}': put 'id: <name>' in ${path} or pass --id <name>`,
      {
        details: { option: 'id' },
      },
    );
  }
  return name;
}

function readMinionIdFile(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').split('\n')[0]?.trim();
    return text ? text : undefined;
  } catch {
    return undefined;
  }
}
