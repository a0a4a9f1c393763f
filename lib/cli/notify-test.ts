import { DEFAULT_NOTIFY_SETTINGS } from '../config/schema/notify';
import type { Logger } from '../log';
import { deliver } from '../notify/deliver';
import { sampleReport } from '../notify/sample-report';
import { buildSummary } from '../notify/summary';
import { webhookRequests } from '../notify/webhook-requests';
import type { Webhook } from '../notify/webhook-types';
import type { CliMessages } from '../text/cli-messages';
import { isoTime } from '../util/time';
import type { NotifyTestArgs } from './args';
import { EXIT } from './exit-codes';

export interface NotifyTestDeps {
  webhooks: readonly Webhook[];
  logger: Logger;
  now: () => number;
  write: (text: string) => void;
  /** The reader's words for each channel's result. */
  words: CliMessages['notifyTest'];
}

/** How long `notify test` waits for all channels, retries included. */
const TEST_DEADLINE_MS = 30_000;

/** Only the scheme and host of a webhook URL are shown: the path and query hold its token. */
export function redactUrl(url: string): string {
  const { protocol, host } = new URL(url);
  return `${protocol}//${host}/[redacted]`;
}

/**
 * Sends a sample summary to each webhook (or prints each request with --dry-run) and
 * returns the exit status: 0 when every channel took it, 5 when one did not.
 */
export async function runNotifyTest(args: NotifyTestArgs, deps: NotifyTestDeps): Promise<number> {
  if (deps.webhooks.length === 0) {
    deps.write(`${deps.words.noWebhooks}\n`);
    return EXIT.NOTIFY_FAILED;
  }
  const summary = buildSummary(sampleReport(isoTime(deps.now())), {
    stage: 'test',
    locale: args.locale ?? DEFAULT_NOTIFY_SETTINGS.locale,
    timeZone: args.timeZone ?? DEFAULT_NOTIFY_SETTINGS.timeZone,
    fullReport: 'dataarts-autoretry notify test --dry-run',
  });
  if (args.dryRun) {
    deps.webhooks.forEach((webhook, index) => {
      for (const request of webhookRequests(webhook, summary, deps.now())) {
        const headers = Object.entries(request.headers ?? {}).map(([k, v]) => `${k}: ${v}\n`);
        const body = JSON.stringify(JSON.parse(request.body), null, 2);
        deps.write(
          `--- ${webhook.kind}#${index} POST ${redactUrl(request.url)}\n${headers.join('')}${body}\n`,
        );
      }
    });
    return 0;
  }
  const result = await deliver(summary, { webhooks: deps.webhooks }, deps.logger, {
    now: deps.now,
    deadline: deps.now() + TEST_DEADLINE_MS,
  });
  for (const channel of result.delivered) deps.write(`${deps.words.ok(channel)}\n`);
  for (const f of result.failed)
    deps.write(`${deps.words.failed(f.channel, f.code, f.message ?? '', f.attempts)}\n`);
  return result.failed.length > 0 ? EXIT.NOTIFY_FAILED : EXIT.OK;
}
