import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { deepFreeze } from '../config/deep-readonly';
import { parseConfigText } from '../config/parse';
import type { Config } from '../config/types';
import { ConfigError } from '../errors';
import { stripJsonComments } from './jsonc';

/** `--job` and `--lookback` replace the file's policy.jobs and policy.lookback before validation. */
export interface ConfigOverrides {
  jobs?: readonly string[];
  lookback?: string | undefined;
}

/**
 * Reads and validates the config file (JSON; `//` comments allowed), with the overrides
 * applied. A relative file ledger path is resolved against the file's folder.
 */
export async function loadConfig(path: string, overrides: ConfigOverrides = {}): Promise<Config> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError('--config', `cannot read ${path}: ${error.code ?? error.message}`);
  });
  return besideConfig(parseConfigText(applyOverrides(stripJsonComments(text), overrides), path), path);
}

/**
 * The ledger is the config's neighbour, as tsconfig and docker compose read their
 * relative paths: resolved against the working directory, a cron job or a shell in
 * another folder would open a fresh ledger, with fresh retry budgets.
 */
function besideConfig(config: Config, configPath: string): Config {
  const { ledger } = config;
  if (ledger.type !== 'file' || isAbsolute(ledger.path)) return config;
  return deepFreeze({ ...config, ledger: { ...ledger, path: resolve(dirname(configPath), ledger.path) } });
}

function applyOverrides(text: string, { jobs = [], lookback }: ConfigOverrides): string {
  if (jobs.length === 0 && lookback === undefined) return text;
  let raw: { policy?: Record<string, unknown> };
  try {
    raw = JSON.parse(text);
  } catch {
    return text; // parseConfigText reports it
  }
  raw.policy = { ...(raw.policy ?? {}) };
  if (jobs.length > 0) raw.policy.jobs = [...jobs];
  if (lookback !== undefined) raw.policy.lookback = lookback;
  return JSON.stringify(raw);
}
