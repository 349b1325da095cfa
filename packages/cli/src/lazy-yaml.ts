/**
 * The `yaml` package, loaded on first use (synchronously, through `require`: it is a CommonJS
 * package), so commands that read no YAML (`brine key -L` without a config file) do not pay its
 * load time (about a fifth of `brine key`'s start).
 */
import { createRequire } from 'node:module';
import type * as YamlModule from 'yaml';

type Yaml = typeof YamlModule;

const require = createRequire(import.meta.url);
let loaded: Yaml | undefined;

export function yaml(): Yaml {
  return (loaded ??= require('yaml') as Yaml);
}
