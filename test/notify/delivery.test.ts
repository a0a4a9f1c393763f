import { jsonLogger } from '../../lib/log';
import { type DeliveryOptions, deliver } from '../../lib/notify/deliver';
import { buildSummary } from '../../lib/notify/summary';
import type { WebhookKind } from '../../lib/notify/webhook-types';
import { type ChatServers, type Scripted, startChatServers } from '../support/chat-servers';
import { fixedReport } from '../support/fixed-report';
import { KNOWN_SECRETS } from '../support/secrets';
import { chatWebhooks, KINDS, SIGNING_SECRETS } from './channels';

const NOW = Date.UTC(2026, 10, 24, 8, 0, 5);

let servers: ChatServers;
let logs: string[];
let slept: number[];
let clock: number;

beforeEach(async () => {
  clock = NOW;
  servers = await startChatServers(SIGNING_SECRETS, () => clock);
  logs = [];
  slept = [];
});
afterEach(() => servers.close());

const logger = () => jsonLogger('debug', (line) => logs.push(line));
/** A sleep that takes no real time: it moves the test's clock instead. */
const options = (over: Partial<DeliveryOptions> = {}): DeliveryOptions => ({
  now: () => clock,
  deadline: NOW + 20_000,
  sleep: async (ms) => {
    slept.push(ms);
    clock += ms;
  },
  ...over,
});

async function send(kind: WebhookKind, ...answers: Scripted[]) {
  servers.script(kind, ...answers);
  const webhook = chatWebhooks(servers.url).find((w) => w.kind === kind)!;
  const result = await deliver(buildSummary(fixedReport()), { webhooks: [webhook] }, logger(), options());
  return { result, requests: servers.received.length };
}

describe.each(KINDS)('delivery to %s', (kind) => {
  it('counts a success as delivered, after the platform checked the signature and size', async () => {
    const { result, requests } = await send(kind);
    expect(result).toEqual({ delivered: [`${kind}#0`], failed: [] });
    expect(requests).toBe(1);
  });

  it('counts a refusal (HTTP 200 with an error code where the platform does that) as failed, without retrying', async () => {
    const { result, requests } = await send(kind, 'reject');
    expect(result.delivered).toEqual([]);
    expect(result.failed).toEqual([
      expect.objectContaining({
        channel: `${kind}#0`,
        platform: kind,
        code: expect.any(String),
        attempts: 1,
      }),
    ]);
    expect(requests).toBe(1);
    expect(logs.join('\n')).toContain('notification failed');
  });

  it('retries a 429 with backoff and then delivers', async () => {
    const { result, requests } = await send(kind, '429');
    expect(result.delivered).toEqual([`${kind}#0`]);
    expect(requests).toBe(2);
    // Slack's Retry-After (2 s) wins over the default first backoff (1 s).
    expect(slept).toEqual([kind === 'slack' ? 2000 : 1000]);
  });

  it('gives up on a lasting 5xx after three attempts, backing off 1 s then 2 s', async () => {
    const { result, requests } = await send(kind, '503', '503', '503');
    expect(result.failed).toEqual([expect.objectContaining({ attempts: 3 })]);
    expect(requests).toBe(3);
    expect(slept).toEqual([1000, 2000]);
  });

  it('never names the URL, its token or a signing secret in the result or the logs', async () => {
    const { result } = await send(kind, 'reject');
    const text = JSON.stringify(result) + logs.join('\n');
    for (const secret of KNOWN_SECRETS) expect(text).not.toContain(secret);
    expect(text).not.toContain(servers.url);
  });
});

it.each([
  ['feishu', '19024', 'Key Words Not Found'],
  ['dingtalk', '310000', 'keywords not in content'],
  ['wecom', '93000', 'invalid webhook url'],
  ['slack', 'invalid_payload', ''],
  ['generic', 'HTTP 400', ''],
] as const)('%s: the failure carries the platform code %s and message', async (kind, code, message) => {
  const { result } = await send(kind, 'reject');
  expect(result.failed[0]).toMatchObject({ code, message });
});

it('reports a bad signature as the platform says it, and does not retry it', async () => {
  const webhooks = chatWebhooks(servers.url).map((w) => ('secret' in w ? { ...w, secret: 'SECwrong' } : w));
  const result = await deliver(buildSummary(fixedReport()), { webhooks }, logger(), options());
  expect(result.failed.map((f) => [f.channel, f.code])).toEqual(
    expect.arrayContaining([
      ['feishu#1', '19021'],
      ['dingtalk#2', '310000'],
      ['generic#4', 'HTTP 401'],
    ]),
  );
  expect(servers.received).toHaveLength(5);
});

it('does not retry past the deadline', async () => {
  servers.script('wecom', '503', '503', '503');
  const webhook = chatWebhooks(servers.url).find((w) => w.kind === 'wecom')!;
  const result = await deliver(
    buildSummary(fixedReport()),
    { webhooks: [webhook] },
    logger(),
    options({ deadline: NOW + 1500 }),
  );
  expect(result.failed[0]).toMatchObject({ code: '-1', attempts: 2 });
  expect(slept).toEqual([1000]);
});

it('reports a channel that cannot be reached by its network code', async () => {
  const closed = servers.url;
  await servers.close();
  servers = await startChatServers();
  const webhook = chatWebhooks(closed).find((w) => w.kind === 'slack')!;
  const result = await deliver(
    buildSummary(fixedReport()),
    { webhooks: [webhook] },
    logger(),
    options({ maxAttempts: 1 }),
  );
  expect(result.failed[0]).toMatchObject({ code: 'ECONNREFUSED' });
});
