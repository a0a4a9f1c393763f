import { silentLogger } from '../../lib/log';
import { deliver } from '../../lib/notify/deliver';
import { snsMessage } from '../../lib/notify/formats/sns';
import { buildSummary, SUBJECT_MAX } from '../../lib/notify/summary';
import { webhookRequests } from '../../lib/notify/webhook-requests';
import type { Locale } from '../../lib/text/i18n';
import { type ChatServers, startChatServers } from '../support/chat-servers';
import { addDownTarget, addStorm, fixedReport } from '../support/fixed-report';
import { chatWebhooks, SIGNING_SECRETS } from './channels';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 5);
/** A job name as long as DataArts allows in spirit: Chinese costs 3 bytes a character in UTF-8. */
const longName = (i: number) => `ads_华东大区_零售门店_销售日报_按品类按渠道汇总_含退货冲销与促销分摊_${i}`;

/** A bad day: 500 restarts, 50 exhausted budgets, a target down, a storm and an error. */
function busyReport() {
  const ref = (i: number) => ({
    target: 'cn4-prod',
    workspace: '数据开发',
    jobName: longName(i),
    instanceId: String(90_000 + i),
  });
  const report = fixedReport({
    storm: true,
    restarted: Array.from({ length: 500 }, (_, i) => ({ ...ref(i), attempt: 1, maxAttempts: 3 })),
    exhausted: Array.from({ length: 50 }, (_, i) => ({ ...ref(1000 + i), attempts: 3, maxAttempts: 3 })),
  });
  addDownTarget(report, { code: 'LIST_FAILED', message: `列表查询失败：${'网关超时，'.repeat(200)}` });
  addStorm(report, 40, 600);
  return report;
}

let servers: ChatServers;
beforeEach(async () => {
  servers = await startChatServers(SIGNING_SECRETS, () => NOW);
});
afterEach(() => servers.close());

describe.each(['en', 'zh-CN'] as Locale[])('a busy summary in %s', (locale) => {
  const summary = buildSummary(busyReport(), { stage: 'prod', locale, timeZone: 'Asia/Shanghai' });

  it('arrives on every channel, each within its platform limit (the servers check them)', async () => {
    const result = await deliver(summary, { webhooks: chatWebhooks(servers.url, true) }, silentLogger, {
      now: () => NOW,
      deadline: NOW + 10_000,
      maxAttempts: 1,
    });
    expect(result.failed).toEqual([]);
    expect(result.delivered).toHaveLength(5);
  });

  it('keeps what needs a human and cuts restarts first, ending with what was left out', () => {
    const wecom = JSON.parse(webhookRequests(chatWebhooks(servers.url)[3]!, summary, NOW)[0]!.body);
    const content: string = wecom.markdown.content;
    expect(Buffer.byteLength(content)).toBeLessThanOrEqual(4096);
    expect(content).toContain('cn4-backup: LIST_FAILED');
    expect(content).not.toContain(longName(0)); // restarts are the first to go
    expect(content).toMatch(
      locale === 'en'
        ? /…and \d+ more item\(s\) not shown: see the full report of sweep 5f0c1a2b in the logs\./
        : /……另有 \d+ 项未列出，完整内容见日志中巡检 5f0c1a2b 的完整报告。/,
    );
    const slack = JSON.parse(webhookRequests(chatWebhooks(servers.url)[0]!, summary, NOW)[0]!.body);
    const texts = JSON.stringify(slack.blocks);
    expect(texts.indexOf('cn4-backup')).toBeLessThan(texts.indexOf(longName(1000)));
  });

  it('cuts a target error to one line of at most 300 characters', () => {
    const line = summary.sections[0]!.lines[0]!;
    expect(Array.from(line)).toHaveLength(300);
    expect(line.endsWith('…')).toBe(true);
  });

  it('gives SNS the whole summary and a subject under 100 characters', () => {
    const { subject, message } = snsMessage(summary);
    expect(Array.from(subject).length).toBeLessThanOrEqual(SUBJECT_MAX);
    expect(message).toContain(longName(499));
  });
});

it('reports an oversize refusal with the platform code, without the link in its message', async () => {
  servers.script('wecom', 'oversize');
  const result = await deliver(
    buildSummary(busyReport()),
    { webhooks: [chatWebhooks(servers.url)[3]!] },
    silentLogger,
    {
      now: () => NOW,
      deadline: NOW + 10_000,
    },
  );
  expect(result.failed).toEqual([
    expect.objectContaining({
      code: '40058',
      message: 'markdown.content exceed max length 4096. more info at [link]',
    }),
  ]);
});
