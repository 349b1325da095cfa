import type { DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';
import { yaml } from '../lazy-yaml.js';
import { ErrorCodes, ConfigError } from '@brine/contracts';

const TIMESTAMP = 'tag:yaml.org,2002:timestamp';

/**
 * YAML as Salt reads it: YAML 1.1 (PyYAML's SafeLoader: `yes`/`no`/`on`/`off` are booleans, `0o`-less
 * octals), with timestamps kept as strings (Salt's loader does the same).
 */
const SALT_YAML: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  customTags: (tags) => tags.filter((t) => typeof t === 'string' || t.tag !== TIMESTAMP),
  prettyErrors: true,
};

/** Parses one YAML document; a syntax error throws ConfigError naming `source`, line and column. */
export function parseSaltYaml(text: string, source: string): unknown {
  const doc = yaml().parseDocument(text, SALT_YAML);
  const error = doc.errors[0];
  if (error) {
    const pos = error.linePos?.[0];
    const where = pos ? `${source}, line ${pos.line}, column ${pos.col}` : source;
    const first = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(ErrorCodes.CONFIG, `Bad YAML in ${where}: ${first}`, {
      cause: error,
      details: { file: source },
    });
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** Parses a short YAML value (a CLI argument); throws whatever the parser throws. */
export function parseYamlValue(text: string): unknown {
  const doc = yaml().parseDocument(text, SALT_YAML);
  if (doc.errors.length > 0) throw doc.errors[0];
  return doc.toJS({ maxAliasCount: 10 });
}
