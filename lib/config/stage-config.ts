import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors';

/**
 * A stage's configuration file (`config/<stage>.json`, bundled into the function's
 * package): the config file's `targets`, `policy`, `client` and `notify`; the ledger
 * is always the stack's own table. Stage params travel as environment variables,
 * which Lambda caps at 4 KB in total: about 21 targets with workspace ids. A file in
 * the package has no such limit, costs no request at cold start (a 10 KB file reads
 * in well under a millisecond), and changes with a deploy, like the params did.
 */
export interface StageConfigFile {
  $schema?: string;
  targets?: unknown;
  policy?: unknown;
  client?: unknown;
  notify?: unknown;
}

const SECTIONS = new Set(['$schema', 'targets', 'policy', 'client', 'notify']);

/**
 * Reads a stage's configuration file, relative to `root` (the package root: the
 * Lambda's working directory, or the project when the stage guard checks it offline).
 * Only the file's shape is checked here; its content is validated with the rest of
 * the settings by `parseConfig`, so one definition of "valid" serves both sources.
 */
export function loadStageConfig(path: string, root: string = process.cwd()): StageConfigFile {
  const where = isAbsolute(path) ? path : resolve(root, path);
  let text: string;
  try {
    text = readFileSync(where, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError('AUTORETRY_CONFIG_FILE', `cannot read ${path} (${code})`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError('AUTORETRY_CONFIG_FILE', `${path} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError('AUTORETRY_CONFIG_FILE', `${path} must hold a JSON object`);
  const unknown = Object.keys(value).filter((key) => !SECTIONS.has(key));
  if (unknown.length > 0) {
    throw new ConfigError(
      'AUTORETRY_CONFIG_FILE',
      `${path} may hold targets, policy, client and notify (the ledger is the stack's table), got ${unknown.join(', ')}`,
    );
  }
  return value as StageConfigFile;
}
