import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { CLI_MESSAGES } from '../text/cli-messages';
import { parseFlags } from './args';
import { displayFor } from './display';
import { exampleConfig } from './example-config';
import type { CliIo } from './io';
import { subcommand } from './subcommand';

async function init(argv: readonly string[], io: CliIo): Promise<number> {
  const positional = argv.filter((a) => !a.startsWith('-'));
  parseFlags(
    argv.filter((a) => a.startsWith('-')),
    {},
  );
  if (positional.length > 1) throw new ConfigError('arguments', 'init takes at most one path');
  const path = resolve(io.cwd, positional[0] ?? 'sweep.json');
  // No configuration yet: the environment's language writes the comments and what to do next.
  const m = CLI_MESSAGES[displayFor(undefined, io.env).locale];
  await writeFile(path, exampleConfig(m.template), { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new ConfigError('init', `${path} exists; refusing to overwrite it`);
    throw new ConfigError('init', `cannot write ${path}: ${error.code ?? error.message}`);
  });
  io.stdout.write(`${m.wrote(path, positional[0] ?? 'sweep.json')}\n`);
  return 0;
}

export const initCommand = subcommand('init', init);
