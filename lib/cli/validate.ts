import { ConfigError } from '../errors';
import { ledgerName } from '../render/format-table';
import { ledgerRef } from '../sweep/report';
import { CLI_MESSAGES } from '../text/cli-messages';
import { parseFlags } from './args';
import { displayFor } from './display';
import type { CliIo } from './io';
import { loadConfig } from './load-config';
import { subcommand } from './subcommand';

async function validate(argv: readonly string[], io: CliIo): Promise<number> {
  const v = parseFlags(argv, { config: { type: 'string', short: 'c' } });
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  const config = await loadConfig(v.config);
  const { locale } = displayFor(config.display, io.env);
  const ledger = ledgerName(ledgerRef(config.ledger), locale);
  const names = config.targets.map((t) => t.name);
  io.stdout.write(`${CLI_MESSAGES[locale].valid(v.config, names, ledger)}\n`);
  return 0;
}

export const validateCommand = subcommand('validate', validate);
