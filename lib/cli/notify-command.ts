import { ConfigError } from '../errors';
import { jsonLogger } from '../log';
import { webhookSecrets } from '../notify/webhook-schema';
import { parseNotifyTestArgs } from './args';
import { EXIT, type ExitStatuses, UNEXPECTED } from './exit-codes';
import type { CliIo } from './io';
import { runNotifyTest } from './notify-test';
import { readSecretWebhooks } from './secret-file';
import { subcommand } from './subcommand';

const USAGE = `Usage: dataarts-autoretry notify test --secret-file <secret.json> [--dry-run] [--locale zh-CN] [--time-zone Asia/Shanghai]

Sends a sample summary to each webhook of the secret file and names any channel that
failed with its platform's code (exit 5); --dry-run prints each request body instead
(URLs redacted) and sends nothing.
`;

async function notify(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] !== 'test') throw new ConfigError('notify', 'the only subcommand is "notify test"');
  const args = parseNotifyTestArgs(argv.slice(1));
  const webhooks = await readSecretWebhooks(args.secretFile);
  return runNotifyTest(args, {
    webhooks,
    logger: jsonLogger('warn', (line) => io.stderr.write(line), {}, webhookSecrets(webhooks)),
    now: io.now,
    write: (text) => io.stdout.write(text),
  });
}

const EXITS: ExitStatuses = [
  [EXIT.OK, 'every channel accepted the sample (--dry-run: every request printed)'],
  [EXIT.FAILED, UNEXPECTED],
  [EXIT.USAGE, 'bad arguments or secret file'],
  [EXIT.NOTIFY_FAILED, "a channel failed (named with its platform's code)"],
];

export const notifyCommand = subcommand(
  'notify',
  'notify test: send a sample summary to every webhook of a secret file',
  USAGE,
  EXITS,
  notify,
);
