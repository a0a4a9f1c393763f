import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as v from 'valibot';
import { snsMessage } from '../../lib/notify/formats/sns';
import { buildSummary, shouldNotify } from '../../lib/notify/summary';
import { webhookRequests } from '../../lib/notify/webhook-requests';
import { WebhooksSchema, webhookSecrets } from '../../lib/notify/webhook-schema';
import type { Webhook } from '../../lib/notify/webhook-types';
import type { Locale } from '../../lib/text/i18n';
import { addDownTarget, fixedReport } from '../support/fixed-report';
import { SIGNING_SECRET, WEBHOOK_TOKEN } from '../support/secrets';
import { chatWebhooks } from './channels';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 3);
const BASE = 'https://chat.example.com';
const EXPECTED = join(__dirname, 'expected');

/** The fixed report of the README examples: a little of everything, and a job name that needs escaping. */
function exampleReport() {
  const report = fixedReport({ restarted: fixedReport().restarted.slice(0, 3) });
  report.restarted.push({ ...report.restarted[0]!, jobName: 'ads_销售日报<&>', instanceId: '34100' });
  addDownTarget(report, { code: 'AUTHENTICATION_FAILED', message: 'IAM refused the credential (401)' });
  return report;
}

/** Compares with the stored body; UPDATE_EXPECTED=1 rewrites it (then review the diff). */
function expectStored(name: string, body: unknown) {
  const file = join(EXPECTED, `${name}.json`);
  const text = `${JSON.stringify(body, null, 2)}\n`;
  if (process.env.UPDATE_EXPECTED === '1' || !existsSync(file)) writeFileSync(file, text);
  // Parsed, so formatting the stored files (biome) does not matter.
  expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

describe.each(['en', 'zh-CN'] as Locale[])('every format, rendered from a fixed report (%s)', (locale) => {
  const summary = buildSummary(exampleReport(), { stage: 'prod', locale, timeZone: 'Asia/Shanghai' });
  it.each(chatWebhooks(BASE, true).map((w) => [w.kind, w] as const))('%s', (kind, webhook) => {
    const requests = webhookRequests(webhook, summary, NOW).map((r) => ({
      ...(r.headers ? { headers: r.headers } : {}),
      body: kind === 'generic' ? JSON.parse(r.body).text : JSON.parse(r.body),
    }));
    expectStored(`${kind}.${locale}`, requests);
  });
  it('sns', () => expectStored(`sns.${locale}`, snsMessage(summary)));
});

describe('formats', () => {
  const summary = buildSummary(exampleReport(), { stage: 'prod' });
  const [slack, feishu, dingtalk, wecom, generic] = chatWebhooks(BASE, true).map((w) =>
    webhookRequests(w, summary, NOW),
  );
  const body = (requests: typeof slack, i = 0) => JSON.parse(requests![i]!.body);

  it('Slack: Block Kit with &, < and > escaped, and mentions on problems', () => {
    const text = JSON.stringify(body(slack).blocks);
    expect(text).toContain('ads_销售日报&lt;&amp;&gt;');
    expect(text).toContain('<@U024BE7LH> <!subteam^SAZ94GDB8>');
  });

  it('Feishu: an interactive card, signed, with <at> mentions', () => {
    const card = body(feishu);
    expect(card.msg_type).toBe('interactive');
    expect(card.card.header.template).toBe('red');
    expect(card.sign).toBe(
      createHmac('sha256', `${card.timestamp}\n${SIGNING_SECRET}`).update('').digest('base64'),
    );
    expect(JSON.stringify(card)).toContain('<at id=all></at>');
  });

  it('DingTalk: markdown signed in the URL, @ in the text and in `at`', () => {
    const url = new URL(dingtalk![0]!.url);
    expect(url.searchParams.get('sign')).toBe(
      createHmac('sha256', SIGNING_SECRET).update(`${NOW}\n${SIGNING_SECRET}`).digest('base64'),
    );
    const ding = body(dingtalk);
    expect(ding.at).toEqual({ atMobiles: ['13800138000'], atUserIds: ['manager8432'] });
    expect(ding.markdown.text).toContain('@13800138000 @manager8432');
    expect(ding.markdown.text).toContain('\n\n');
  });

  it('WeCom: markdown without list syntax, then a text message carrying the mentions', () => {
    expect(body(wecom).markdown.content).not.toMatch(/^- /m);
    expect(body(wecom, 1)).toMatchObject({
      msgtype: 'text',
      text: { mentioned_list: ['zhangsan'], mentioned_mobile_list: ['13800138000'] },
    });
  });

  it('mentions nobody when nothing needs a human', () => {
    const quiet = buildSummary(fixedReport({ exhausted: [], errors: [] }));
    expect(quiet.hasProblem).toBe(false);
    const requests = chatWebhooks(BASE, true).flatMap((w) => webhookRequests(w, quiet, NOW));
    expect(requests).toHaveLength(5);
    expect(requests.map((r) => r.body).join()).not.toMatch(/U024BE7LH|13800138000|<at id/);
  });

  it('generic: the whole report, signed over timestamp and body', () => {
    const request = generic![0]!;
    expect(JSON.parse(request.body).report.restarted).toHaveLength(4);
    const ts = request.headers?.['X-Autoretry-Timestamp'];
    expect(ts).toBe(String(Math.floor(NOW / 1000)));
    const hmac = createHmac('sha256', SIGNING_SECRET).update(`${ts}.${request.body}`).digest('hex');
    expect(request.headers?.['X-Autoretry-Signature']).toBe(`sha256=${hmac}`);
  });

  it('no body carries a webhook URL, token or signing secret', () => {
    const bodies = [slack, feishu, dingtalk, wecom, generic]
      .flat()
      .map((r) => r!.body)
      .join('\n');
    expect(bodies).not.toContain(WEBHOOK_TOKEN);
    expect(bodies).not.toContain(SIGNING_SECRET);
  });
});

describe('summary', () => {
  it('has counts in a subject under 100 characters, DRY RUN kept', () => {
    expect(buildSummary(fixedReport(), { stage: 'prod' }).subject).toBe(
      '[prod] DataArts auto-retry: 14 restarted, 1 exhausted, 1 errors',
    );
    const dry = buildSummary(fixedReport({ dryRun: true, storm: true }), {
      stage: 'a-rather-long-stage-name',
    });
    expect(Array.from(dry.subject)).toHaveLength(99);
    expect(dry.subject.endsWith('… (DRY RUN, STORM SUSPECTED)')).toBe(true);
  });

  it('orders sections by what needs a human first', () => {
    expect(buildSummary(exampleReport()).sections.map((s) => s.kind)).toEqual([
      'target-errors',
      'exhausted',
      'instance-errors',
      'restarted',
    ]);
  });

  it('shows times in the configured zone', () => {
    expect(buildSummary(fixedReport(), { timeZone: 'Asia/Shanghai' }).headline).toContain(
      '2026-11-24 16:00:00 GMT+8',
    );
  });

  it.each([
    ['always', fixedReport({ restarted: [], exhausted: [], errors: [], totals: {} }), true],
    ['on-activity', fixedReport({ restarted: [], exhausted: [], errors: [], totals: {} }), false],
    ['on-activity', fixedReport({ exhausted: [], errors: [] }), true],
    ['on-problem', fixedReport({ exhausted: [], errors: [] }), false],
    ['on-problem', fixedReport(), true],
    ['on-problem', fixedReport({ dryRun: true, errors: [], totals: { 'dry-run': 2 } }), false],
  ] as const)('policy %s', (policy, report, expected) => {
    expect(shouldNotify(policy, buildSummary(report))).toBe(expected);
  });
});

describe('the webhooks schema', () => {
  const parse = (hooks: unknown) => v.safeParse(WebhooksSchema, hooks);

  it('takes URLs or objects with secrets and mentions, and lists every secret value', () => {
    const result = parse({
      slack: 'https://hooks.slack.com/services/T/B/x',
      dingtalk: {
        url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
        secret: 'SECs',
        mention: { mobiles: ['13800138000'], all: true },
      },
      generic: { url: 'http://127.0.0.1:8080/hook', secret: 'g' },
    });
    expect(result.success).toBe(true);
    const hooks = result.output as Webhook[];
    expect(webhookSecrets(hooks)).toEqual([
      'https://hooks.slack.com/services/T/B/x',
      'https://oapi.dingtalk.com/robot/send?access_token=t',
      'SECs',
      'http://127.0.0.1:8080/hook',
      'g',
    ]);
  });

  it.each([
    [{ slack: 'http://hooks.slack.com/x' }, 'https'],
    [{ feishu: { url: 'https://x.example', mention: { mobiles: ['138'] } } }, 'URL or'],
    [{ wecom: { url: 'https://x.example', secret: 's' } }, 'URL or'],
    [{ teams: 'https://x.example' }, ''],
  ])('refuses %j', (hooks, message) => {
    const result = parse(hooks);
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toContain(message);
  });
});
