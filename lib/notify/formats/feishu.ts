import { createHmac } from 'node:crypto';
import { fitSummary, utf8Bytes } from '../fit';
import type { Summary } from '../summary';
import type { Mention } from '../webhook-types';

/**
 * Feishu/Lark custom bot (https://open.feishu.cn/document/client-docs/bot-v3/add-custom-bot):
 * a request body is at most 20 KB; we budget 19,000 bytes of JSON. An interactive card is
 * `{msg_type: "interactive", card: {header, elements}}` with `lark_md` text, where
 * `<at id=ou_…></at>` mentions a member and `<at id=all></at>` everyone. A signed bot
 * also takes `timestamp` (seconds, within an hour of Feishu's clock) and
 * `sign` = base64(HMAC-SHA256(key = "timestamp\nsecret", message = "")).
 */
export const FEISHU_BODY_BUDGET = 19_000;

/**
 * lark_md reads `<…>` as tags (`<at>`, `<font>`) and `*`, `~` as emphasis; Feishu's card
 * markdown documents HTML character references for showing them literally.
 */
const larkEscape = (text: string): string =>
  text.replace(/</g, '&#60;').replace(/>/g, '&#62;').replace(/\*/g, '&#42;').replace(/~/g, '&#126;');

const md = (content: string) => ({ tag: 'div', text: { tag: 'lark_md', content } });

function mentionText(mention: Mention | undefined): string {
  if (!mention) return '';
  return [
    ...(mention.userIds ?? []).map((id) => `<at id=${id}></at>`),
    ...(mention.all ? ['<at id=all></at>'] : []),
  ].join(' ');
}

function card(summary: Summary, mention: Mention | undefined): Record<string, unknown> {
  const who = summary.hasProblem ? mentionText(mention) : '';
  const elements: unknown[] = [md(`${larkEscape(summary.headline)}${who ? `\n${who}` : ''}`)];
  for (const s of summary.sections) {
    elements.push({ tag: 'hr' });
    elements.push(md([`**${larkEscape(s.title)}**`, ...s.lines.map((l) => `- ${larkEscape(l)}`)].join('\n')));
  }
  if (summary.footer)
    elements.push({ tag: 'note', elements: [{ tag: 'plain_text', content: summary.footer }] });
  const template = summary.report.dryRun ? 'grey' : summary.hasProblem ? 'red' : 'green';
  return {
    config: { wide_screen_mode: true },
    header: { template, title: { tag: 'plain_text', content: summary.subject } },
    elements,
  };
}

export function feishuBody(
  summary: Summary,
  webhook: { secret?: string; mention?: Mention },
  nowMs: number,
): Record<string, unknown> {
  const signature: Record<string, string> = {};
  if (webhook.secret) {
    const timestamp = String(Math.floor(nowMs / 1000));
    signature.timestamp = timestamp;
    signature.sign = createHmac('sha256', `${timestamp}\n${webhook.secret}`).update('').digest('base64');
  }
  return fitSummary(
    summary,
    (s) => ({ ...signature, msg_type: 'interactive', card: card(s, webhook.mention) }),
    (body) => utf8Bytes(JSON.stringify(body)) <= FEISHU_BODY_BUDGET,
  );
}
