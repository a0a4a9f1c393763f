import { ConfigError } from '../errors';
import { ledgerName } from '../render/format-table';
import { ledgerRef } from '../sweep/report';
import { parseFlags } from './args';
import { EXIT, type ExitStatuses, UNEXPECTED } from './exit-codes';
import type { CliIo } from './io';
import { loadConfig } from './load-config';
import { subcommand } from './subcommand';

const USAGE = `Usage: dataarts-autoretry validate --config <file.json>

Checks a configuration file offline with the same validator a sweep uses: every
problem, one line each, naming the field (exit 2), or a one-line summary (exit 0).
A deployed stage is checked with \`npx serverless validate --stage <stage>\` (see docs/deploy.md).
-c is short for --config, -h for --help.
`;

async function validate(argv: readonly string[], io: CliIo): Promise<number> {
  const v = parseFlags(argv, { config: { type: 'string', short: 'c' } });
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  const config = await loadConfig(v.config);
  const ledger = ledgerName(ledgerRef(config.ledger));
  io.stdout.write(
    `ok: ${v.config}: ${config.targets.length} target(s) (${config.targets.map((t) => t.name).join(', ')}), ledger ${ledger}\n`,
  );
  return 0;
}

const EXITS: ExitStatuses = [
  [EXIT.OK, 'valid: a one-line summary'],
  [EXIT.FAILED, UNEXPECTED],
  [EXIT.USAGE, 'invalid: every problem, one line each, naming the field'],
];

export const validateCommand = subcommand(
  'validate',
  'check a configuration file offline (a stage: npx serverless validate --stage NAME)',
  USAGE,
  EXITS,
  validate,
);
