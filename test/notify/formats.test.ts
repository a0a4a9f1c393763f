import { createHmac } from 'node:crypto';
import { buildSummary, plainText, shouldNotify } from '../../lib/notify/summary';
import { type Webhook, webhookRequest } from '../../lib/notify/webhooks';
import { fixedReport } from '../support/fixed-report';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 3);
const SECRETS = {
  slack: 'https://hooks.slack.com/services/T000/B000/slackTOKENxyz',
  feishuUrl: 'https://open.feishu.cn/open-apis/bot/v2/hook/feishu-token-123',
  feishuSecret: 'feishu-sign-secret',
  dingUrl: 'https://oapi.dingtalk.com/robot/send?access_token=ding-token-456',
  dingSecret: 'SECding-sign-secret',
  wecom: 'https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=wecom-key-789',
  generic: 'https://hooks.example.com/autoretry?token=generic-token',
};
const webhooks: Webhook[] = [
  { kind: 'slack', url: SECRETS.slack },
  { kind: 'feishu', url: SECRETS.feishuUrl, secret: SECRETS.feishuSecret },
  { kind: 'dingtalk', url: SECRETS.dingUrl, secret: SECRETS.dingSecret },
  { kind: 'wecom', url: SECRETS.wecom },
  { kind: 'generic', url: SECRETS.generic },
];

describe('summary', () => {
  const summary = buildSummary(fixedReport(), { stage: 'prod', maxItems: 5 });

  it('has counts in the subject and what needs a human first', () => {
    expect(summary.subject).toBe('[prod] DataArts auto-retry: 14 restarted, 1 exhausted, 1 errors');
    expect(summary.sections.map((s) => s.title)).toEqual([
      'Retry budget exhausted, needs a human (1)',
      'Restarted (14)',
      'Errors (1)',
    ]);
  });

  it('names each instance as the DataArts console does and truncates long lists', () => {
    const restarted = summary.sections[1]!.lines;
    expect(restarted[0]).toBe('cn4-prod / workspace default / job ods_job_0 / instance 34000: attempt 1/3');
    expect(restarted).toHaveLength(6);
    expect(restarted[5]).toBe('...and 9 more');
  });

  it('marks dry runs and storms', () => {
    const storm = fixedReport({ dryRun: true, storm: true, restarted: [], totals: { 'dry-run': 3 } });
    storm.targets[0]!.storm = {
      suspected: true,
      failedJobs: 30,
      failedInstances: 30,
      reason: '30 distinct jobs failed (limit 20)',
    };
    const s = buildSummary(storm);
    expect(s.subject).toContain('3 would be restarted');
    expect(s.subject).toContain('(DRY RUN, STORM SUSPECTED)');
    expect(s.sections[0]?.lines[0]).toContain(
      '30 distinct jobs failed (limit 20). Nothing was restarted there',
    );
  });

  describe('a dry run', () => {
    const dry = (overrides: Parameters<typeof fixedReport>[0] = {}) =>
      fixedReport({ dryRun: true, restarted: [], errors: [], totals: { 'dry-run': 2 }, ...overrides });

    it('words exhausted budgets as what a real sweep would report, not as a call for a human', () => {
      const s = buildSummary(dry(), { stage: 'prod' });
      expect(s.sections.map((x) => x.title)).toContain('Retry budget would be reported as exhausted (1)');
      expect(plainText(s)).not.toMatch(/needs a human/);
      expect(s.headline).toMatch(/^2 would be restarted, 1 would be reported as exhausted, 0 errors\./);
    });

    it('is never a problem for on-problem because of exhausted budgets', () => {
      const s = buildSummary(dry());
      expect(s.hasProblem).toBe(false);
      expect(shouldNotify('on-problem', s)).toBe(false);
      expect(shouldNotify('on-activity', s)).toBe(true);
      expect(shouldNotify('on-activity', buildSummary(dry({ totals: {} })))).toBe(true);
    });

    it('still reports real errors: broken settings break the real sweeps too', () => {
      const errors = fixedReport().errors;
      expect(shouldNotify('on-problem', buildSummary(dry({ errors })))).toBe(true);
    });

    it('keeps DRY RUN in a subject cut to 100 characters', () => {
      const s = buildSummary(dry({ storm: true }), { stage: 'a-rather-long-stage-name' });
      expect(s.subject).toHaveLength(100);
      expect(s.subject.endsWith('... (DRY RUN, STORM SUSPECTED)')).toBe(true);
    });
  });

  it.each([
    ['always', fixedReport({ restarted: [], exhausted: [], errors: [], totals: {} }), true],
    ['on-activity', fixedReport({ restarted: [], exhausted: [], errors: [], totals: {} }), false],
    ['on-activity', fixedReport({ exhausted: [], errors: [] }), true],
    ['on-problem', fixedReport({ exhausted: [], errors: [] }), false],
    ['on-problem', fixedReport(), true],
  ] as const)('policy %s', (policy, report, expected) => {
    expect(shouldNotify(policy, buildSummary(report))).toBe(expected);
  });
});

describe('webhook formats', () => {
  const summary = buildSummary(fixedReport(), { stage: 'prod', maxItems: 3 });
  const requests = webhooks.map((w) => ({ kind: w.kind, ...webhookRequest(w, summary, NOW) }));
  const byKind = (kind: string) => requests.find((r) => r.kind === kind)!;

  it('Slack: text with mrkdwn bold', () => {
    const text = byKind('slack').body.text as string;
    expect(text.startsWith('*[prod] DataArts auto-retry')).toBe(true);
    expect(text).toContain('...and 11 more');
  });

  it('Feishu/Lark: text message signed with timestamp and sign', () => {
    const body = byKind('feishu').body as {
      msg_type: string;
      timestamp: string;
      sign: string;
      content: { text: string };
    };
    expect(body.msg_type).toBe('text');
    expect(body.timestamp).toBe(String(Math.floor(NOW / 1000)));
    const expected = createHmac('sha256', `${body.timestamp}\n${SECRETS.feishuSecret}`)
      .update('')
      .digest('base64');
    expect(body.sign).toBe(expected);
    expect(body.content.text).toContain('dws_finance_close');
  });

  it('DingTalk: markdown, signed in the URL', () => {
    const request = byKind('dingtalk');
    const url = new URL(request.url);
    expect(url.searchParams.get('timestamp')).toBe(String(NOW));
    const sign = createHmac('sha256', SECRETS.dingSecret)
      .update(`${NOW}\n${SECRETS.dingSecret}`)
      .digest('base64');
    expect(url.searchParams.get('sign')).toBe(sign);
    expect(request.body).toMatchObject({ msgtype: 'markdown', markdown: { title: summary.subject } });
  });

  it('WeCom: markdown content', () => {
    expect(byKind('wecom').body).toMatchObject({
      msgtype: 'markdown',
      markdown: { content: expect.stringContaining('**Errors (1)**') },
    });
  });

  it('generic: subject, text and sections', () => {
    expect(byKind('generic').body).toMatchObject({
      subject: summary.subject,
      hasProblem: true,
      text: plainText(summary),
    });
  });

  it('no body carries a webhook URL, token or signing secret', () => {
    const bodies = JSON.stringify(requests.map((r) => r.body));
    for (const secret of Object.values(SECRETS)) expect(bodies).not.toContain(secret);
    for (const token of [
      'slackTOKENxyz',
      'feishu-token-123',
      'ding-token-456',
      'wecom-key-789',
      'generic-token',
    ]) {
      expect(bodies).not.toContain(token);
    }
  });
});
