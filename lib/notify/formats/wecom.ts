import { fitSummary, utf8Bytes } from '../fit';
import type { Summary } from '../summary';
import type { Mention } from '../webhook-types';

/**
 * WeCom group robot (https://developer.work.weixin.qq.com/document/path/91770):
 * `markdown.content` is at most 4,096 bytes of UTF-8 (else errcode 40058), so a
 * Chinese character costs 3. Its markdown has headings, bold, links, inline code,
 * `> ` quotes and `<font color="warning|info|comment">`, but no lists: items are
 * written `• …`, one per line ("\n" is a line break there). Mentions by userid or
 * phone (`mentioned_list` / `mentioned_mobile_list`, "@all" for everyone) exist only
 * on text messages (`text.content` at most 2,048 bytes), so a problem summary for a
 * robot with mentions is followed by a short text message carrying them.
 */
export const WECOM_MARKDOWN_BYTES = 4096;
const WECOM_TEXT_BYTES = 2048;

function content(summary: Summary): string {
  const color = summary.hasProblem ? 'warning' : 'info';
  const parts = [`### ${summary.subject}`, `<font color="${color}">${summary.headline}</font>`];
  for (const s of summary.sections) parts.push('', `**${s.title}**`, ...s.lines.map((l) => `• ${l}`));
  if (summary.footer) parts.push('', `<font color="comment">${summary.footer}</font>`);
  return parts.join('\n');
}

export function wecomBodies(summary: Summary, mention?: Mention): Array<Record<string, unknown>> {
  const markdown = fitSummary(
    summary,
    (s) => ({ msgtype: 'markdown', markdown: { content: content(s) } }),
    (body) => utf8Bytes((body.markdown as { content: string }).content) <= WECOM_MARKDOWN_BYTES,
  );
  const users = [...(mention?.userIds ?? []), ...(mention?.all ? ['@all'] : [])];
  const mobiles = mention?.mobiles ?? [];
  if (!summary.hasProblem || (users.length === 0 && mobiles.length === 0)) return [markdown];
  let text = summary.subject;
  while (utf8Bytes(text) > WECOM_TEXT_BYTES) text = text.slice(0, -1);
  return [
    markdown,
    {
      msgtype: 'text',
      text: {
        content: text,
        ...(users.length ? { mentioned_list: users } : {}),
        ...(mobiles.length ? { mentioned_mobile_list: mobiles } : {}),
      },
    },
  ];
}
