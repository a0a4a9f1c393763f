import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors';
import { parseFlags } from './args';
import { EXAMPLE_CONFIG } from './example-config';
import { EXIT, type ExitStatuses, UNEXPECTED } from './exit-codes';
import type { CliIo } from './io';
import { subcommand } from './subcommand';

const USAGE = `Usage: dataarts-autoretry init [path]

Writes an example configuration with every key and its default explained (JSON with
// comments) to ./sweep.json, or to the given path. Never overwrites a file.
`;

async function init(argv: readonly string[], io: CliIo): Promise<number> {
  const positional = argv.filter((a) => !a.startsWith('-'));
  parseFlags(
    argv.filter((a) => a.startsWith('-')),
    {},
  );
  if (positional.length > 1) throw new ConfigError('arguments', 'init takes at most one path');
  const path = resolve(io.cwd, positional[0] ?? 'sweep.json');
  await writeFile(path, EXAMPLE_CONFIG, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EEXIST') throw new ConfigError('init', `${path} exists; refusing to overwrite it`);
    throw new ConfigError('init', `cannot write ${path}: ${error.code ?? error.message}`);
  });
  io.stdout.write(
    `wrote ${path}\nnext: set targets[0].endpoint and projectId, then\n  dataarts-autoretry validate --config ${positional[0] ?? 'sweep.json'}\n  dataarts-autoretry --config ${positional[0] ?? 'sweep.json'} --dry-run\n`,
  );
  return 0;
}

const EXITS: ExitStatuses = [
  [EXIT.OK, 'written'],
  [EXIT.FAILED, UNEXPECTED],
  [EXIT.USAGE, 'the file exists or cannot be written, or bad arguments'],
];

export const initCommand = subcommand(
  'init',
  'write an example configuration, every key explained (never overwrites)',
  USAGE,
  EXITS,
  init,
);
