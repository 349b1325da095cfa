/**
 * @packageDocumentation
 * `@brine/cli`: the `brine` command (master, minion, key, run, demo). The binary is `dist/bin.js`;
 * these exports let other tools reuse its pieces (config loading with Salt's names, Salt's argument
 * parsing and outputters).
 */
export { main, COMMANDS } from './main.js';
export type { Command } from './main.js';
export { ExitCodes, exitCodeOf } from './exit-codes.js';
export type { ExitCode } from './exit-codes.js';
export { loadConfig, DEFAULT_CONFIG_DIR } from './config/load.js';
export type { ConfigSource, LoadedConfig, Options, Role } from './config/load.js';
export { flagsToOverrides } from './config/flags.js';
export { parseSaltYaml } from './config/yaml.js';
export { parseSaltArgs, yamlifyArg } from './salt-args.js';
export type { SaltArgs } from './salt-args.js';
export { formatOutput, OUTPUTTERS } from './output/index.js';
export type { Outputter } from './output/index.js';
export { formatNested } from './output/nested.js';
export { formatKeys, toSaltKeyData } from './output/key.js';
export type { SaltKeyData } from './output/key.js';
export { createCliLogger, toLogLevel, toLogFormat, formatFileRecord, formatJsonRecord } from './logging.js';
export type { LogFormat } from './logging.js';
export type { CliLogger, CliLoggerOptions } from './logging.js';
export { loadTransports, transportsFor, buildSuite } from './wiring.js';
export type { LoadedTransports, BuiltSuite, SuiteChoice } from './wiring.js';
export { runDemo } from './demo/run-demo.js';
export type { DemoOptions } from './demo/run-demo.js';
export type { Io } from './io.js';
