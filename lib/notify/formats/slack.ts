import { fitSummary } from '../fit';
import type { Summary } from '../summary';
import type { Mention } from '../webhook-types';

/**
 * Slack incoming webhook, Block Kit (https://api.slack.com/reference/block-kit/blocks):
 * at most 50 blocks; a section's text at most 3,000 characters; a header's plain_text
 * at most 150. Slack also refuses blocks totalling about 13,000 characters
 * (`msg_blocks_too_long`, slackapi/bolt-js#2509, undocumented): we budget 12,000.
 * `text` is the notification fallback.
 */
export const SLACK_LIMITS = { blocks: 50, sectionChars: 3000, headerChars: 150, totalChars: 12_000 };

/**
 * mrkdwn reads `&`, `<` and `>` as control characters: they must be sent as `&amp;`,
 * `&lt;` and `&gt;` (https://api.slack.com/reference/surfaces/formatting#escaping), or a
 * job name like `a<b>` turns into a broken link.
 */
export const slackEscape = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

type Block = Record<string, unknown>;
const mrkdwn = (text: string): Block => ({ type: 'section', text: { type: 'mrkdwn', text } });

/** `<@U…>` members, `<!subteam^S…>` user groups, `<!channel>` everyone. */
function mentionText(mention: Mention | undefined): string {
  if (!mention) return '';
  return [
    ...(mention.userIds ?? []).map((id) => `<@${id}>`),
    ...(mention.groupIds ?? []).map((id) => `<!subteam^${id}>`),
    ...(mention.all ? ['<!channel>'] : []),
  ].join(' ');
}

function sectionBlocks(title: string, lines: readonly string[]): Block[] {
  const blocks: Block[] = [];
  let text = `*${slackEscape(title)}*`;
  for (const line of lines) {
    const item = `\n• ${slackEscape(line)}`;
    if (text.length + item.length > SLACK_LIMITS.sectionChars) {
      blocks.push(mrkdwn(text));
      text = item.slice(1);
    } else text += item;
  }
  blocks.push(mrkdwn(text));
  return blocks;
}

function render(summary: Summary, mention: Mention | undefined): Record<string, unknown> {
  const header = Array.from(summary.subject).slice(0, SLACK_LIMITS.headerChars).join('');
  const who = summary.hasProblem ? mentionText(mention) : '';
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: header, emoji: false } },
    mrkdwn(`${who ? `${who} ` : ''}${slackEscape(summary.headline)}`),
    ...summary.sections.flatMap((s) => [{ type: 'divider' }, ...sectionBlocks(s.title, s.lines)]),
  ];
  if (summary.footer)
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(summary.footer) }] });
  return { text: slackEscape(summary.subject), blocks };
}

function fits(body: Record<string, unknown>): boolean {
  const blocks = body.blocks as Block[];
  const chars = JSON.stringify(blocks).length;
  return blocks.length <= SLACK_LIMITS.blocks && chars <= SLACK_LIMITS.totalChars;
}

export function slackBody(summary: Summary, mention?: Mention): Record<string, unknown> {
  return fitSummary(summary, (s) => render(s, mention), fits);
}
