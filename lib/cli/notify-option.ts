import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { NotifyPolicy } from '../config/schema/notify';
import { type NotifySettings, notifySettingsOf } from '../config/schema/notify';
import type { Logger } from '../log';
import { noticeStoreFor } from '../notify/notice-store';
import { type NotifyOutcome, notifySweep } from '../notify/notify-sweep';
import type { Webhook } from '../notify/webhook-types';
import type { SweepReport } from '../sweep/report';

type LedgerConfig =
  | { type: 'file'; path: string }
  | { type: 'dynamodb'; table: string; endpoint?: string; region?: string };

/** How long the command line spends notifying, retries included. */
const NOTIFY_DEADLINE_MS = 30_000;

/**
 * `--notify`: the sweep's summary to the secret file's webhooks, de-duplicated against
 * the same notice state the Lambda keeps beside the configured ledger.
 */
export async function notifyFromCli(
  report: SweepReport,
  config: { ledger: LedgerConfig; notify?: NotifySettings },
  policy: NotifyPolicy,
  webhooks: readonly Webhook[],
  logger: Logger,
): Promise<NotifyOutcome> {
  const ledger = config.ledger;
  const dynamo =
    ledger.type === 'dynamodb'
      ? new DynamoDBClient({
          ...(ledger.endpoint ? { endpoint: ledger.endpoint } : {}),
          ...(ledger.region ? { region: ledger.region } : {}),
        })
      : undefined;
  const started = Date.now();
  return notifySweep({
    report,
    policy,
    settings: notifySettingsOf(config),
    channels: { webhooks },
    store: noticeStoreFor(ledger, dynamo),
    fullReport: 'the output of dataarts-autoretry',
    logger,
    now: Date.now,
    deadline: started + NOTIFY_DEADLINE_MS,
  });
}
