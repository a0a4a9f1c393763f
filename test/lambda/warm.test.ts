/**
 * One execution environment, several invocations: settings parsed once, clients and
 * their accounts (IAM tokens, rate limiter) kept while the secret's credentials stay
 * the same, rebuilt when they change, and an event's overrides applying to its own
 * invocation only.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { SweepFailedError } from '../../lib/errors';
import { createLambdaSweep, type LambdaDeps, runLambdaSweep } from '../../lib/lambda/run-sweep';
import { SecretCache } from '../../lib/lambda/secret';
import { ctx, lambdaDeps, secretsMock } from '../support/lambda-harness';
import { IAM_PASSWORD, WRONG_SK } from '../support/secrets';
import { AK, emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const SECOND_PASSWORD = `${IAM_PASSWORD}-rotated`;
let emulator: Emulator;
let clock: ManualClock;
let output: string[];
let deps: LambdaDeps;

const iamSecret = (password: string, user = 'sweeper') => ({
  SecretString: JSON.stringify({
    HUAWEICLOUD_IAM_USER: user,
    HUAWEICLOUD_IAM_PASSWORD: password,
    HUAWEICLOUD_IAM_DOMAIN: 'acme',
    HUAWEICLOUD_IAM_ENDPOINT: emulator.url,
  }),
});

/** A new failure of `job` (a fresh instance), so every sweep has work to do. */
function fail(job: string, id: number): void {
  const at = clock.now();
  emulator.seed(PROJECT, undefined, [
    { jobName: job, instanceId: id, status: 'fail', planTime: at - 60 * MIN, endTime: at - 30 * MIN },
  ]);
}

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock({
    users: { 'acme/sweeper': IAM_PASSWORD, 'acme/rotated': SECOND_PASSWORD },
  }));
  fail('ods_orders', 1);
  fail('dwd_users', 2);
  output = [];
  deps = await lambdaDeps(emulator, clock, output);
  deps.env.NOTIFY_POLICY = 'on-problem';
  secretsMock.on(GetSecretValueCommand).resolves(iamSecret(IAM_PASSWORD));
  // Cached for 5 minutes, like the deployed function's SecretCache.
  deps.secret = new SecretCache(new SecretsManagerClient({ region: 'eu-west-1' }), 'arn', 300_000, () =>
    clock.now(),
  );
});
afterEach(async () => {
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
  await emulator.close();
});

describe('warm invocations of one execution environment', () => {
  it('share one IAM token; a cold environment per invocation would log in each time', async () => {
    const sweep = createLambdaSweep(deps);
    await sweep({}, ctx(300_000));
    clock.advance(15 * MIN);
    fail('ods_orders', 3);
    const second = await sweep({}, ctx(300_000));
    expect(second.restarted.map((r) => r.instanceId)).toEqual(['3']);
    expect(emulator.count('token')).toBe(1);

    clock.advance(15 * MIN);
    await runLambdaSweep({}, ctx(300_000), deps);
    expect(emulator.count('token')).toBe(2);
  });

  it('keep the clients when the secret is re-read unchanged, and rebuild them when it changes', async () => {
    const sweep = createLambdaSweep(deps);
    await sweep({}, ctx(300_000));
    clock.advance(6 * MIN); // past the secret cache's 5 minutes: read again, same values
    await sweep({}, ctx(300_000));
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(emulator.count('token')).toBe(1);

    deps.env.AUTORETRY_TARGETS = 'not read again: settings are parsed once';
    secretsMock.on(GetSecretValueCommand).resolves(iamSecret(SECOND_PASSWORD, 'rotated'));
    clock.advance(6 * MIN);
    fail('ods_orders', 3);
    const rotated = await sweep({}, ctx(300_000));
    // Old clients would have reused the old user's token: a second login proves the rebuild.
    expect(emulator.count('token')).toBe(2);
    expect(rotated.restarted.map((r) => r.instanceId)).toEqual(['3']);
    expect(rotated.targets[0]?.error).toBeUndefined();
  });

  it("apply an event's jobs and lookback to that invocation only", async () => {
    const sweep = createLambdaSweep(deps);
    const only = await sweep({ jobs: ['ods_*'], lookback: '2h' }, ctx(300_000));
    expect(only.totals).toEqual({ restarted: 1, excluded: 1 });
    expect(Date.parse(only.targets[0]?.window.from ?? '')).toBe(T0 - 2 * 60 * MIN);

    clock.advance(15 * MIN);
    const next = await sweep({}, ctx(300_000));
    expect(next.totals.excluded).toBeUndefined();
    expect(next.restarted.map((r) => r.instanceId)).toEqual(['2']);
    expect(Date.parse(next.targets[0]?.window.from ?? '')).toBe(clock.now() - 24 * 60 * MIN);
    expect(emulator.count('token')).toBe(1);
  });

  it('give a credential that failed authentication a fresh account on the next invocation', async () => {
    secretsMock
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: WRONG_SK }) });
    const sweep = createLambdaSweep(deps);
    await expect(sweep({}, ctx(300_000))).rejects.toBeInstanceOf(SweepFailedError);
    const rejected = emulator.count('list', 401);
    expect(rejected).toBeGreaterThan(0);
    clock.advance(15 * MIN);
    // A stopped account would refuse unsent; a fresh one asks once more (one request,
    // as the account's gate lets only one through until the credential is proven).
    await expect(sweep({}, ctx(300_000))).rejects.toBeInstanceOf(SweepFailedError);
    expect(emulator.count('list', 401)).toBe(rejected + 1);
  });

  it('log the request id and cold start, and publish ColdStart in the first invocation only', async () => {
    // Powertools counts cold starts only where Lambda says the environment is on demand.
    process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
    const sweep = createLambdaSweep(deps);
    const invocation = (id: string) => ({
      ...ctx(300_000),
      awsRequestId: id,
      functionName: 'dataarts-autoretry-test-sweep',
    });
    await sweep({}, invocation('req-1'));
    delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
    clock.advance(15 * MIN);
    await sweep({}, invocation('req-2'));
    const lines = output.map((line) => JSON.parse(line) as Record<string, unknown>);
    const finished = lines.filter((l) => l.message === 'sweep finished');
    expect(finished.map((l) => [l.function_request_id, l.cold_start, l.level, l.service])).toEqual([
      ['req-1', true, 'INFO', 'dataarts-autoretry'],
      ['req-2', false, 'INFO', 'dataarts-autoretry'],
    ]);
    const coldStarts = lines.filter((l) => 'ColdStart' in l);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]).toMatchObject({ function_name: 'dataarts-autoretry-test-sweep', Stage: 'test' });
  });
});
