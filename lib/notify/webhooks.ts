import { createHmac } from 'node:crypto';
import { markdown, plainText, type Summary } from './summary';

/** A chat webhook from the secret. DingTalk and Feishu robots may have a signing secret. */
export type Webhook =
  | { kind: 'slack'; url: string }
  | { kind: 'feishu'; url: string; secret?: string }
  | { kind: 'dingtalk'; url: string; secret?: string }
  | { kind: 'wecom'; url: string }
  | { kind: 'generic'; url: string };

export interface WebhookRequest {
  url: string;
  body: Record<string, unknown>;
}

/**
 * The request each chat expects, in its native format:
 * - Slack incoming webhook: `{text}` (mrkdwn).
 * - Feishu/Lark custom bot: `{msg_type: "text", content: {text}}`; when signed, `timestamp`
 *   (seconds) and `sign` = base64(HMAC-SHA256(key = "timestamp\nsecret", message = "")).
 * - DingTalk robot: `{msgtype: "markdown", markdown: {title, text}}`; when signed, the URL
 *   gets `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret, "timestamp\nsecret"))).
 * - WeCom group robot: `{msgtype: "markdown", markdown: {content}}`.
 * - Generic: `{subject, text, summary}` as JSON.
 */
export function webhookRequest(webhook: Webhook, summary: Summary, nowMs: number): WebhookRequest {
  switch (webhook.kind) {
    case 'slack':
      return { url: webhook.url, body: { text: markdown(summary, (s) => `*${s}*`) } };
    case 'feishu': {
      const body: Record<string, unknown> = {
        msg_type: 'text',
        content: { text: `${summary.subject}\n${plainText(summary)}` },
      };
      if (webhook.secret) {
        const timestamp = String(Math.floor(nowMs / 1000));
        body.timestamp = timestamp;
        body.sign = createHmac('sha256', `${timestamp}\n${webhook.secret}`).update('').digest('base64');
      }
      return { url: webhook.url, body };
    }
    case 'dingtalk': {
      let url = webhook.url;
      if (webhook.secret) {
        const timestamp = String(nowMs);
        const sign = createHmac('sha256', webhook.secret)
          .update(`${timestamp}\n${webhook.secret}`)
          .digest('base64');
        url += `${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
      }
      return {
        url,
        body: { msgtype: 'markdown', markdown: { title: summary.subject, text: markdown(summary) } },
      };
    }
    case 'wecom':
      return { url: webhook.url, body: { msgtype: 'markdown', markdown: { content: markdown(summary) } } };
    case 'generic':
      return {
        url: webhook.url,
        body: {
          subject: summary.subject,
          text: plainText(summary),
          hasProblem: summary.hasProblem,
          sections: summary.sections,
        },
      };
  }
}
