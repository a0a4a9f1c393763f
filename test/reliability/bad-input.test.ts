/**
 * Bad input, one table: malformed configs, events, secret payloads and API answers.
 * Each gives a clear error naming the field (and no request at all), or a per-instance
 * or per-target error in the report, and zero restarts wherever the input was invalid.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { ConfigError } from '../../lib/errors';
import { type LambdaDeps, runLambdaSweep } from '../../lib/lambda/run-sweep';
import type { SweepReport } from '../../lib/sweep/report';
import { ctx, lambdaDeps, secretsMock } from '../support/lambda-harness';
import { WEBHOOK_TOKEN } from '../support/secrets';
import { AK, emulatorWithClock, PROJECT, SK, T0 } from '../support/targets';

const MIN = 60_000;
const BIG_ID = '92233720368547758';
let emulator: Emulator;
let clock: ManualClock;
let deps: LambdaDeps;

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, [
    { jobName: 'good', instanceId: 11, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
    { jobName: '作业 日报', instanceId: 12, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
    { jobName: 'big', instanceId: BIG_ID, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
  ]);
  deps = await lambdaDeps(emulator, clock, []);
});
afterEach(async () => emulator.close());

type Input = { env?: Record<string, string>; event?: unknown; secret?: unknown };
const env = (name: string, value: string): Input => ({ env: { [name]: value } });
const policy = (p: unknown) => env('AUTORETRY_POLICY', JSON.stringify(p));
const targets = (t: unknown) => env('AUTORETRY_TARGETS', JSON.stringify(t));
const secret = (s: unknown): Input => ({ secret: s });

const rejected: Array<[string, Input, string]> = [
  ['targets not an array', targets({ name: 'x' }), 'targets'],
  ['targets not JSON', env('AUTORETRY_TARGETS', '[{'), 'AUTORETRY_TARGETS'],
  ['endpoint a number', targets([{ name: 'a', endpoint: 42, projectId: 'p' }]), 'targets[0].endpoint'],
  [
    'projectId with a slash',
    targets([{ name: 'a', endpoint: 'https://x', projectId: '../p' }]),
    'targets[0].projectId',
  ],
  [
    'target name with an emoji',
    targets([{ name: 'prod😀', endpoint: 'https://x', projectId: 'p' }]),
    'targets[0].name',
  ],
  [
    'empty workspace',
    targets([{ name: 'a', endpoint: 'https://x', projectId: 'p', workspace: '' }]),
    'targets[0].workspace',
  ],
  ['maxAttempts huge', policy({ maxAttempts: 1e9 }), 'policy.maxAttempts'],
  ['maxAttempts negative', policy({ maxAttempts: -3 }), 'policy.maxAttempts'],
  ['backoff factor negative', policy({ backoff: { factor: -1 } }), 'policy.backoff.factor'],
  ['lookback negative', policy({ lookback: '-1h' }), 'policy.lookback'],
  ['lookback huge', policy({ lookback: '99999d' }), 'policy.lookback'],
  ['rule match a number', policy({ rules: [{ match: 42 }] }), 'policy.rules[0].match'],
  ['status in capitals', policy({ statuses: ['FAIL'] }), 'policy.statuses[0]'],
  ['manual instance type', policy({ instanceTypes: [2] }), 'policy.instanceTypes[0]'],
  ['typo in policy', policy({ maxAttemps: 2 }), 'policy.maxAttemps'],
  ['policy an array', policy([1]), 'policy'],
  ['client retries 99', env('AUTORETRY_CLIENT', '{"retries":99}'), 'client.retries'],
  ['event dryRun a number', { event: { dryRun: 1 } }, 'event.dryRun'],
  ['event jobs a string', { event: { jobs: 'ods_*' } }, 'event.jobs'],
  ['event lookback a number', { event: { lookback: 5 } }, 'event.lookback'],
  ['event unknown key', { event: { dryRun: true, force: true } }, 'event.force'],
  ['event a string', { event: 'sweep please' }, 'event'],
  ['secret without credentials', secret({}), 'credentials'],
  ['secret AK without SK', secret({ HUAWEICLOUD_SDK_AK: AK }), 'HUAWEICLOUD_SDK_SK'],
  [
    'secret SK a number',
    secret({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: 12345 }),
    'secret.HUAWEICLOUD_SDK_SK',
  ],
  ['secret not JSON', secret('AK=x SK=y'), 'secret'],
  [
    'webhook not http',
    secret({
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      webhooks: { slack: `ftp://x/${WEBHOOK_TOKEN}` },
    }),
    'secret.webhooks.slack',
  ],
  [
    'webhook unknown key',
    secret({
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      webhooks: { feishu: { url: 'https://x', token: WEBHOOK_TOKEN } },
    }),
    'secret.webhooks.feishu.token',
  ],
];

describe('invalid settings, events and secrets: a ConfigError naming the field, no request made', () => {
  it.each(rejected)('%s', async (_name, input, field) => {
    Object.assign(deps.env, input.env ?? {});
    if (input.secret !== undefined) {
      secretsMock.on(GetSecretValueCommand).resolves({
        SecretString: typeof input.secret === 'string' ? input.secret : JSON.stringify(input.secret),
      });
    }
    const error = await runLambdaSweep(input.event ?? {}, ctx(300_000), deps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).field).toBe(field);
    expect((error as ConfigError).message).not.toContain(SK);
    expect((error as ConfigError).message).not.toContain(WEBHOOK_TOKEN);
    expect(emulator.requests).toHaveLength(0);
  });
});

const row = (id: string | number, job: string, extra = '') =>
  `{"jobName":"${job}","instanceId":${id},"status":"fail","planTime":${T0 - 60 * MIN},"endTime":${T0 - 30 * MIN}${extra}}`;
const page = (...rows: string[]) => `{"total":${rows.length},"instances":[${rows.join(',')}]}`;

const answers: Array<[string, string, (r: SweepReport) => void]> = [
  ['not JSON', 'oops<html>', (r) => expect(r.targets[0]?.error?.code).toBe('MALFORMED_RESPONSE')],
  [
    'total negative',
    '{"total":-1,"instances":[]}',
    (r) => expect(r.targets[0]?.error?.code).toBe('MALFORMED_RESPONSE'),
  ],
  [
    'total a string',
    '{"total":"3","instances":[]}',
    (r) => expect(r.targets[0]?.error?.code).toBe('MALFORMED_RESPONSE'),
  ],
  [
    'instances not an array',
    '{"total":1,"instances":{"a":1}}',
    (r) => expect(r.targets[0]?.error?.code).toBe('MALFORMED_RESPONSE'),
  ],
  [
    'one instance without an id (the other is fine)',
    page('{"jobName":"x","status":"fail"}', row(11, 'good')),
    (r) => {
      expect(r.errors.map((e) => e.code)).toEqual(['MALFORMED_INSTANCE']);
      expect(r.restarted.map((x) => x.instanceId)).toEqual(['11']);
    },
  ],
  [
    'an instance id that is a fraction',
    page(row('1.5', 'good')),
    (r) => expect(r.errors.map((e) => e.code)).toEqual(['MALFORMED_INSTANCE']),
  ],
  [
    'a status that is a number',
    page('{"jobName":"good","instanceId":11,"status":3}'),
    (r) => expect(r.errors.map((e) => e.code)).toEqual(['MALFORMED_INSTANCE']),
  ],
  [
    'an instance id beyond 2^53 (valid: every digit kept)',
    page(row(BIG_ID, 'big')),
    (r) => {
      expect(r.restarted.map((x) => x.instanceId)).toEqual([BIG_ID]);
      expect(emulator.restarts(BIG_ID)).toBe(1);
    },
  ],
  [
    'a Unicode job name (valid)',
    page(row(12, '作业 日报')),
    (r) => expect(r.restarted.map((x) => x.jobName)).toEqual(['作业 日报']),
  ],
  [
    'an oversized answer',
    `{"total":1,"instances":[${row(11, 'good', `,"errorMessage":"${'x'.repeat(200_000)}"`)}]}`,
    (r) => expect(r.targets[0]?.error?.code).toBe('RESPONSE_TOO_LARGE'),
  ],
];

describe('broken API answers: reported, the sweep goes on, nothing invalid is restarted', () => {
  it.each(answers)('%s', async (_name, body, check) => {
    deps.transport = { ...deps.transport, maxResponseBytes: 100_000 };
    emulator.inject({ route: 'list', kind: 'custom', body });
    const result = await runLambdaSweep({}, ctx(300_000), deps);
    check(result);
    const restartedIds = new Set(result.restarted.map((x) => x.instanceId));
    expect(emulator.count('restart')).toBe(restartedIds.size);
  });

  it(`has at least 30 rows in all (${rejected.length + answers.length})`, () => {
    expect(rejected.length + answers.length).toBeGreaterThanOrEqual(30);
  });
});
