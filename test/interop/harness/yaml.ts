/** A Salt config value: written as JSON, which PyYAML reads as YAML flow style. */
export type ConfigValue = string | number | boolean | null | ConfigValue[] | { [key: string]: ConfigValue };
export type SaltConfig = Record<string, ConfigValue>;

/** One `key: value` line per option; values are JSON (a subset of YAML that PyYAML parses). */
export function toYaml(config: SaltConfig): string {
  return (
    Object.entries(config)
      .map(([key, value]) => `${key}: ${JSON.stringify(value)}`)
      .join('\n') + '\n'
  );
}
