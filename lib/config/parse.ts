import { ConfigError } from '../errors';
import { parseWith } from './issues';
import { jsonSyntaxProblem } from './json-syntax';
import { type Config, ConfigSchema } from './schema/config';

export { RETRYABLE_STATUSES } from './schema/rule';
export { targetIdentity } from './schema/target';

/**
 * Validates a configuration (parsed JSON) into one typed, frozen object. Unknown keys
 * are rejected; every problem is reported at once, in one ConfigError that names each
 * field, what is allowed and what was given.
 */
export function parseConfig(input: unknown): Config {
  return parseWith(ConfigSchema, input);
}

/**
 * Reads a config file's text: JSON errors are ConfigErrors too, at `source:line:column`
 * as compilers write it (an editor jumps there).
 */
export function parseConfigText(text: string, source: string): Config {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const { line, column, reason } = jsonSyntaxProblem(text, error as Error);
    throw new ConfigError(`${source}:${line}:${column}`, `is not valid JSON: ${reason}`);
  }
  return parseConfig(json);
}
