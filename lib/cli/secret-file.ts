import { readFile } from 'node:fs/promises';
import { parseWith } from '../config/issues';
import { ConfigError } from '../errors';
import { WebhooksSchema } from '../notify/webhook-schema';
import type { Webhook } from '../notify/webhook-types';

/**
 * The webhooks of a secret file: the same JSON as the Lambda's secret, of which only
 * `webhooks` is read (credentials stay in the environment for the command line).
 * Errors name the file and the key, never a value: the values are tokens.
 */
export async function readSecretWebhooks(path: string): Promise<Webhook[]> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new ConfigError('--secret-file', `cannot read ${path}: ${error.code ?? 'error'}`);
  });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ConfigError('--secret-file', `${path} is not valid JSON`);
  }
  const webhooks = (json as { webhooks?: unknown } | null)?.webhooks;
  if (webhooks === undefined) throw new ConfigError('--secret-file', `${path} has no "webhooks" object`);
  // Every problem at once, each field by its path (`mobiles[1]`), as the Lambda's secret names them.
  return parseWith(WebhooksSchema, webhooks, { root: '--secret-file webhooks', hideValues: true });
}
