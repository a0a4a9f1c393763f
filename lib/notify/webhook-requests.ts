import { dingtalkBody, dingtalkUrl } from './formats/dingtalk';
import { feishuBody } from './formats/feishu';
import { genericRequest } from './formats/generic';
import { slackBody } from './formats/slack';
import { wecomBodies } from './formats/wecom';
import type { Summary } from './summary';
import type { Webhook, WebhookRequest } from './webhook-types';

/** The requests a webhook gets for one summary, in its platform's native format and budget. */
export function webhookRequests(webhook: Webhook, summary: Summary, nowMs: number): WebhookRequest[] {
  const json = (url: string, body: unknown): WebhookRequest => ({ url, body: JSON.stringify(body) });
  switch (webhook.kind) {
    case 'slack':
      return [json(webhook.url, slackBody(summary, webhook.mention))];
    case 'feishu':
      return [json(webhook.url, feishuBody(summary, webhook, nowMs))];
    case 'dingtalk':
      return [json(dingtalkUrl(webhook.url, webhook.secret, nowMs), dingtalkBody(summary, webhook.mention))];
    case 'wecom':
      return wecomBodies(summary, webhook.mention).map((body) => json(webhook.url, body));
    case 'generic':
      return [genericRequest(summary, webhook, nowMs)];
  }
}
