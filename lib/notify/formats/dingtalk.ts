import { createHmac } from 'node:crypto';
import { fitSummary, utf8Bytes } from '../fit';
import type { Summary } from '../summary';
import type { Mention } from '../webhook-types';

/**
 * DingTalk custom robot (https://open.dingtalk.com/document/orgapp/custom-robot-access,
 * https://open.dingtalk.com/document/orgapp/robot-message-types-and-data-format):
 * `{msgtype: "markdown", markdown: {title, text}, at: {atMobiles, atUserIds, isAtAll}}`.
 * A mention only highlights when the text also contains `@<mobile>` / `@<userId>`.
 * The markdown subset has headings, bold, links, `- ` lists and `> ` quotes; a single
 * newline is not a line break, so paragraphs are separated by a blank line. Signed
 * robots take `timestamp` (ms) and `sign` = urlencode(base64(HMAC-SHA256(secret,
 * "timestamp\nsecret"))) in the URL. The documented message limit is 20,000 bytes;
 * we budget 18,000 bytes of text so the title and mentions always fit beside it.
 */
export const DINGTALK_TEXT_BUDGET = 18_000;

function at(mention: Mention | undefined): { line: string; at: Record<string, unknown> } {
  if (!mention) return { line: '', at: {} };
  const ids = [...(mention.mobiles ?? []), ...(mention.userIds ?? [])];
  return {
    line: ids.map((id) => `@${id}`).join(' '),
    at: {
      ...(mention.mobiles?.length ? { atMobiles: mention.mobiles } : {}),
      ...(mention.userIds?.length ? { atUserIds: mention.userIds } : {}),
      ...(mention.all ? { isAtAll: true } : {}),
    },
  };
}

function text(summary: Summary, mentionLine: string): string {
  const parts = [`#### ${summary.subject}`, summary.headline];
  for (const s of summary.sections) parts.push(`**${s.title}**`, s.lines.map((l) => `- ${l}`).join('\n'));
  if (summary.footer) parts.push(`> ${summary.footer}`);
  if (mentionLine) parts.push(mentionLine);
  return parts.join('\n\n');
}

export function dingtalkBody(summary: Summary, mention?: Mention): Record<string, unknown> {
  const who = summary.hasProblem ? at(mention) : { line: '', at: {} };
  return fitSummary(
    summary,
    (s) => ({
      msgtype: 'markdown',
      markdown: { title: s.subject, text: text(s, who.line) },
      ...(Object.keys(who.at).length ? { at: who.at } : {}),
    }),
    (body) => utf8Bytes((body.markdown as { text: string }).text) <= DINGTALK_TEXT_BUDGET,
  );
}

/** The signed URL: DingTalk checks `timestamp` within an hour of its clock. */
export function dingtalkUrl(url: string, secret: string | undefined, nowMs: number): string {
  if (!secret) return url;
  const timestamp = String(nowMs);
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  return `${url}${url.includes('?') ? '&' : '?'}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}
