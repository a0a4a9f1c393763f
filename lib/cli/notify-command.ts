import { ConfigError } from '../errors';
import { jsonLogger } from '../log';
import { webhookSecrets } from '../notify/webhook-schema';
import { CLI_MESSAGES } from '../text/cli-messages';
import { parseNotifyTestArgs } from './args';
import { displayFor } from './display';
import type { CliIo } from './io';
import { runNotifyTest } from './notify-test';
import { readSecretWebhooks } from './secret-file';
import { subcommand } from './subcommand';

async function notify(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] !== 'test') throw new ConfigError('notify', 'the only subcommand is "notify test"');
  const args = parseNotifyTestArgs(argv.slice(1));
  const webhooks = await readSecretWebhooks(args.secretFile);
  return runNotifyTest(args, {
    webhooks,
    logger: jsonLogger('warn', (line) => io.stderr.write(line), {}, webhookSecrets(webhooks)),
    now: io.now,
    write: (text) => io.stdout.write(text),
    // No configuration here: the environment's language.
    words: CLI_MESSAGES[displayFor(undefined, io.env).locale].notifyTest,
  });
}

export const notifyCommand = subcommand('notify', notify);
