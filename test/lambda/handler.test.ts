import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { ConfigError, SweepFailedError } from '../../lib/errors';
import { type LambdaDeps, runLambdaSweep } from '../../lib/lambda/run-sweep';
import { SecretCache } from '../../lib/lambda/secret';
import { ctx, lambdaDeps, secretsMock, snsMock } from '../support/lambda-harness';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';
import { startWebhookServer } from '../support/webhook-server';

const MIN = 60_000;
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:dataarts-autoretry-test-summary';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:autoretry';
const DING_SECRET = 'SECdingtalk-signing-secret';
/** The event an EventBridge schedule sends, whole (the documented "Scheduled Event" shape). */
const SCHEDULED_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-05-08T16:53:06Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:123456789012:rule/dataarts-autoretry-test-sweep'],
  detail: {},
};

let emulator: Emulator;
let clock: ManualClock;
let hooks: Awaited<ReturnType<typeof startWebhookServer>>;
let output: string[];
let deps: LambdaDeps;

function secretJson(extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    HUAWEICLOUD_SDK_AK: AK,
    HUAWEICLOUD_SDK_SK: SK,
    webhooks: {
      slack: `${hooks.url}/slack/T000/B000/slack-token-abc`,
      dingtalk: { url: `${hooks.url}/robot/send?access_token=ding-token-def`, secret: DING_SECRET },
    },
    ...extra,
  });
}

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  hooks = await startWebhookServer();
  emulator.seed(PROJECT, undefined, [
    { jobName: 'ods_orders', instanceId: 1, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
    { jobName: 'dwd_users', instanceId: 2, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
  ]);
  output = [];
  deps = await lambdaDeps(emulator, clock, output);
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretJson() });
  deps.env.AUTORETRY_POLICY = JSON.stringify({ rateLimit: 1000 });
  deps.env.NOTIFY_POLICY = 'on-activity';
  // Cached like a warm Lambda (the harness's default TTL is 0).
  deps.secret = new SecretCache(new SecretsManagerClient({ region: 'eu-west-1' }), SECRET_ARN, 300_000, () =>
    clock.now(),
  );
});
afterEach(async () => {
  await emulator.close();
  await hooks.close();
});

describe('the Lambda sweep', () => {
  it('serves the schedule: restarts, metrics, one SNS summary and each webhook', async () => {
    const result = await runLambdaSweep(SCHEDULED_EVENT, ctx(300_000), deps);
    expect(result.restarted.map((r) => r.instanceId).sort()).toEqual(['1', '2']);
    expect(result.ledger).toEqual({ type: 'dynamodb', table: deps.env.LEDGER_TABLE });
    expect(emulator.restarts(1)).toBe(1);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(snsMock).toHaveReceivedCommandWith(PublishCommand, {
      TopicArn: TOPIC,
      Subject: '[test] DataArts auto-retry: 2 restarted, 0 exhausted, 0 errors',
    });
    expect(hooks.received.map((r) => r.path.split('?')[0])).toEqual(
      expect.arrayContaining(['/slack/T000/B000/slack-token-abc', '/robot/send']),
    );
    const ding = hooks.received.find((r) => r.path.startsWith('/robot/send'))!;
    expect(ding.path).toMatch(/timestamp=\d+&sign=/);
    // Whether a platform's answer counts as delivered is lib/notify's concern (tested there).
    expect(result.notification).toMatchObject({
      sent: true,
      delivered: expect.arrayContaining(['sns', 'slack#0']),
    });
    const logs = output.filter((l) => !l.includes('"_aws"')).map((l) => JSON.parse(l));
    expect(logs.filter((l) => l.message === 'decision' && l.level === 'DEBUG')).toHaveLength(
      result.decisions.length,
    );
    expect(logs.filter((l) => l.message === 'sweep finished' && l.level === 'INFO')).toHaveLength(1);
    const metrics = output
      .filter((l) => l.includes('"_aws"'))
      .map((l) => JSON.parse(l))
      .filter((m) => 'Listed' in m);
    expect(metrics).toHaveLength(2);
    expect(metrics[0]).toMatchObject({
      Target: 'prod',
      Stage: 'test',
      Listed: 2,
      Eligible: 2,
      Restarted: 2,
      Exhausted: 0,
      Errors: 0,
    });
    expect(metrics[1]._aws.CloudWatchMetrics[0].Dimensions).toEqual([['Service', 'Stage']]);
  });

  it('takes a manual event: dry run, jobs and lookback', async () => {
    const result = await runLambdaSweep(
      { dryRun: true, jobs: ['ods_*'], lookback: '48h' },
      ctx(300_000),
      deps,
    );
    expect(result.dryRun).toBe(true);
    expect(result.totals).toEqual({ 'dry-run': 1, excluded: 1 });
    expect(emulator.count('restart')).toBe(0);
  });

  it.each([
    [{ dryrun: true }, 'event.dryrun', /unknown key/],
    [{ dryRun: 'yes' }, 'event.dryRun', /true or false/],
    [{ lookback: '90d' }, 'event.lookback', /1m to 30d/],
    [{ jobs: [] }, 'event.jobs', /from 1 to 200 items/],
    [[1, 2], 'event', /must be an object/],
  ])('rejects the event %j before any request', async (event, field, problem) => {
    const error = await runLambdaSweep(event, ctx(300_000), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field, problem: expect.stringMatching(problem) });
    expect(emulator.requests).toHaveLength(0);
  });

  it.each([
    [{ dryRun: true }, 'event.dryRun'],
    [{ jobs: ['ods_*'] }, 'event.jobs'],
    [{ lookback: '48h' }, 'event.lookback'],
    [{ allDecisions: true }, 'event.allDecisions'],
    [{ detail: { dryRun: true } }, 'event.detail.dryRun'],
  ])("refuses the schedule's event with %j added: nothing restarted, the key named", async (added, field) => {
    const error = await runLambdaSweep({ ...SCHEDULED_EVENT, ...added }, ctx(300_000), deps).catch(
      (e: unknown) => e,
    );
    expect(emulator.count('restart')).toBe(0);
    expect(emulator.requests).toHaveLength(0);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field, problem: expect.stringMatching(/scheduled event/) });
  });

  it.each([
    [
      'missing',
      () =>
        secretsMock
          .on(GetSecretValueCommand)
          .rejects(new ResourceNotFoundException({ message: 'nope', $metadata: {} })),
      'SECRET_ARN',
    ],
    ['not JSON', () => secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'AK=1' }), 'secret'],
    [
      'without the SK',
      () =>
        secretsMock
          .on(GetSecretValueCommand)
          .resolves({ SecretString: JSON.stringify({ HUAWEICLOUD_SDK_AK: AK }) }),
      'HUAWEICLOUD_SDK_SK',
    ],
    [
      'with a typo',
      () =>
        secretsMock
          .on(GetSecretValueCommand)
          .resolves({ SecretString: secretJson({ HUAWEICLOUD_SDK_SK2: 'x' }) }),
      'secret.HUAWEICLOUD_SDK_SK2',
    ],
    [
      'with a bad webhook',
      () =>
        secretsMock
          .on(GetSecretValueCommand)
          .resolves({ SecretString: secretJson({ webhooks: { teams: 'x' } }) }),
      'secret.webhooks.teams',
    ],
  ])('fails the invocation when the secret is %s, naming the key', async (_name, arrange, field) => {
    arrange();
    const error = await runLambdaSweep({}, ctx(300_000), deps).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConfigError', field });
    expect(String((error as Error).message)).not.toContain(SK);
    expect(emulator.count('restart')).toBe(0);
  });

  it('fails the invocation when settings are invalid, naming the variable', async () => {
    deps.env = { ...deps.env, AUTORETRY_POLICY: '{"maxAttempts": 0}' };
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toMatchObject({
      field: 'policy.maxAttempts',
    });
    deps.env = { ...deps.env, AUTORETRY_POLICY: '{', NOTIFY_POLICY: 'on-activity' };
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toMatchObject({ field: 'AUTORETRY_POLICY' });
    deps.env = { ...deps.env, AUTORETRY_POLICY: '{}', NOTIFY_POLICY: 'sometimes' };
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toMatchObject({ field: 'NOTIFY_POLICY' });
  });

  it('fails the invocation when authentication fails on every target, after notifying', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: secretJson({ HUAWEICLOUD_SDK_SK: 'wrong-sk-value' }) });
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toBeInstanceOf(SweepFailedError);
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
    expect(emulator.count('list', 401)).toBeLessThanOrEqual(3);
  });

  it('a failed notification is logged and counted, never fatal', async () => {
    snsMock.on(PublishCommand).rejects(new Error('SNS is down'));
    const result = await runLambdaSweep({}, ctx(300_000), deps);
    expect(result.restarted).toHaveLength(2);
    expect(result.notification.failed).toContainEqual(expect.objectContaining({ channel: 'sns' }));
    expect(output.some((l) => l.includes('notification failed'))).toBe(true);
  });

  it('stops before the Lambda deadline and reports the rest as deferred', async () => {
    // 19 s left minus the 10 s DEADLINE_MARGIN: 9 s, less than the reserve kept for one
    // restart (the 10 s client timeout). The clock is manual; the deadline's real timer
    // (9 s) is far beyond what listing two instances takes on a loaded machine.
    const result = await runLambdaSweep({}, ctx(19_000), deps);
    expect(result.totals).toEqual({ deferred: 2 });
    expect(emulator.count('restart')).toBe(0);
  });

  it('reuses the cached secret across warm invocations', async () => {
    await runLambdaSweep({}, ctx(300_000), deps);
    clock.advance(60 * MIN);
    await runLambdaSweep({}, ctx(300_000), deps);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    await runLambdaSweep({}, ctx(300_000), deps);
    expect(secretsMock).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
  });

  it('never lets a secret into logs, metrics, notifications or the report', async () => {
    deps.env.NOTIFY_POLICY = 'always';
    const results = [await runLambdaSweep({}, ctx(300_000), deps)];
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: secretJson({ HUAWEICLOUD_SDK_SK: 'another-wrong-sk' }) });
    clock.advance(10 * MIN);
    const failure = await runLambdaSweep({}, ctx(300_000), {
      ...deps,
      secret: new SecretCache(new SecretsManagerClient({ region: 'eu-west-1' }), SECRET_ARN),
    }).catch((e: unknown) => e);
    const sns = snsMock.commandCalls(PublishCommand).map((c) => JSON.stringify(c.args[0].input));
    const everything = [
      ...output,
      ...sns,
      JSON.stringify(hooks.received.map((r) => r.body)),
      JSON.stringify(results),
      String(failure),
    ].join('\n');
    for (const secret of [SK, 'another-wrong-sk', DING_SECRET, 'slack-token-abc', 'ding-token-def']) {
      expect(everything).not.toContain(secret);
    }
  });
});
