import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { parseConfig } from '../../lib/config/parse';
import { Account, credentialIdentity } from '../../lib/dataarts/account';
import { AkSkAuthenticator } from '../../lib/dataarts/auth';
import { DataArtsClient } from '../../lib/dataarts/client';
import { Transport, type TransportOptions } from '../../lib/dataarts/transport';
import { AuthenticationError } from '../../lib/errors';
import { runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { MemoryLedger } from '../support/memory-ledger';
import { IAM_PASSWORD, WRONG_SK } from '../support/secrets';
import { AK, emulatorWithClock, FAST, PROJECT, SK, T0 } from '../support/targets';

/**
 * One credential, many targets: the gateway limits and locks per user, so the rate
 * limit, the concurrency bound, the stop after a 401 and the auth gate are the
 * account's, not each target's.
 */

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator.close());

const projects = (n: number) => Array.from({ length: n }, (_, i) => `project-${i + 1}`);

/** `perProject` failed instances in each project, old enough to be retried now. */
function seedFailures(ids: readonly string[], perProject: number): void {
  ids.forEach((projectId, p) => {
    emulator.seed(
      projectId,
      undefined,
      Array.from({ length: perProject }, (_, i) => ({
        jobName: `job_${i}`,
        instanceId: 1000 * (p + 1) + i,
        status: 'fail',
        planTime: T0 - 60 * MIN,
        endTime: T0 - 30 * MIN,
      })),
    );
  });
}

function configFor(ids: readonly string[], policy: Record<string, unknown> = {}, iamEndpoint?: string) {
  return parseConfig({
    targets: ids.map((projectId, i) => ({
      name: `t${i + 1}`,
      endpoint: emulator.url,
      projectId,
      ...(iamEndpoint ? { iamEndpoint } : {}),
    })),
    ledger: { type: 'file', path: 'unused' },
    policy: { stormGuard: { enabled: false }, ...policy },
  });
}

const rejected401 = () => emulator.requests.filter((r) => r.status === 401).length;

describe('one wrong credential on many targets', () => {
  it('six targets on one wrong AK/SK: at most 2 signed requests rejected in all, each target reports it', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    const ids = projects(6);
    seedFailures(ids, 2);
    const config = configFor(ids);
    const report = await runSweep({
      config,
      targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: WRONG_SK }, clock, FAST),
      ledger: new MemoryLedger(),
      clock,
    });
    expect(rejected401()).toBeGreaterThanOrEqual(1);
    expect(emulator.count('list', 401) + emulator.count('show', 401) + emulator.count('restart', 401)).toBe(
      rejected401(),
    );
    expect(rejected401()).toBeLessThanOrEqual(2);
    expect(report.targets.map((t) => t.error?.code)).toEqual(Array(6).fill('AUTHENTICATION_FAILED'));
    expect(emulator.count('restart')).toBe(0);
    expect(JSON.stringify(report)).not.toContain(WRONG_SK);
  });

  it('concurrent callers on two transports of one account: one 401, the same error for all', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    const account = new Account(AK, { ratePerSecond: 10_000, concurrency: 8 });
    const clients = ['project-a', 'project-b'].map((projectId) => {
      const transport = new Transport({
        baseUrl: emulator.url,
        account,
        authenticator: new AkSkAuthenticator({ ak: AK, sk: WRONG_SK }, projectId, () => clock.now()),
        options: FAST,
      });
      return new DataArtsClient(transport, { projectId });
    });
    const errors = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (clients[i % 2] as DataArtsClient).getInstance('j', String(i)).catch((e: unknown) => e),
      ),
    );
    expect(rejected401()).toBe(1);
    expect(errors[0]).toBeInstanceOf(AuthenticationError);
    for (const error of errors) expect(error).toBe(errors[0]);
  });

  it('a wrong IAM password: one failed login for three projects, every target reports it', async () => {
    ({ emulator, clock } = await emulatorWithClock({ users: { 'acme/sweeper': IAM_PASSWORD } }));
    const ids = projects(3);
    seedFailures(ids, 1);
    const config = configFor(ids, {}, emulator.url);
    const credentials = {
      kind: 'password' as const,
      user: 'sweeper',
      password: 'not-the-password',
      domain: 'acme',
      iamEndpoint: '',
    };
    const report = await runSweep({
      config,
      targets: buildTargets(config, credentials, clock, FAST),
      ledger: new MemoryLedger(),
      clock,
    });
    expect(emulator.count('token')).toBe(1);
    expect(emulator.count('list')).toBe(0);
    expect(report.targets.map((t) => t.error?.code)).toEqual(Array(3).fill('AUTHENTICATION_FAILED'));
    expect(JSON.stringify(report)).not.toContain('not-the-password');
  });
});

describe('shared per credential', () => {
  it('one IAM token per project, shared by that project’s targets', async () => {
    ({ emulator, clock } = await emulatorWithClock({ users: { 'acme/sweeper': IAM_PASSWORD } }));
    seedFailures([PROJECT, 'project-two'], 1);
    emulator.seed(PROJECT, 'ws2', [
      { jobName: 'w', instanceId: 77, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
    ]);
    const config = parseConfig({
      targets: [
        { name: 'a', endpoint: emulator.url, projectId: PROJECT, iamEndpoint: emulator.url },
        {
          name: 'b',
          endpoint: emulator.url,
          projectId: PROJECT,
          workspace: 'ws2',
          iamEndpoint: emulator.url,
        },
        { name: 'c', endpoint: emulator.url, projectId: 'project-two', iamEndpoint: emulator.url },
      ],
      ledger: { type: 'file', path: 'unused' },
      policy: { stormGuard: { enabled: false } },
    });
    const credentials = {
      kind: 'password' as const,
      user: 'sweeper',
      password: IAM_PASSWORD,
      domain: 'acme',
      iamEndpoint: '',
    };
    const report = await runSweep({
      config,
      targets: buildTargets(config, credentials, clock, FAST),
      ledger: new MemoryLedger(),
      clock,
    });
    expect(report.targets.every((t) => t.error === undefined)).toBe(true);
    expect(report.restarted).toHaveLength(3);
    expect(emulator.count('token')).toBe(2);
  });

  it('the concurrency bound holds over every target of the account', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    seedFailures([PROJECT], 1);
    emulator.seed(PROJECT, 'ws2', []);
    emulator.seed(PROJECT, 'ws3', []);
    const account = new Account(AK, { ratePerSecond: 10_000, concurrency: 2 });
    const clients = [undefined, 'ws2', 'ws3'].map((workspace) => {
      const transport = new Transport({
        baseUrl: emulator.url,
        account,
        authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, PROJECT, () => clock.now()),
        options: { ...FAST, concurrency: 8 },
      });
      return new DataArtsClient(transport, { projectId: PROJECT, ...(workspace ? { workspace } : {}) });
    });
    // Long enough that the bound is surely reached even on a loaded machine (never slower than the bound).
    emulator.setLatency(1_000);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (clients[i % 3] as DataArtsClient).countInstances({ from: T0 - 60 * MIN, to: T0 }),
      ),
    );
    expect(emulator.requests).toHaveLength(12);
    expect(emulator.maxInFlight()).toBe(2);
  });

  it('a 429 on one target pauses every target of the account', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    seedFailures([PROJECT], 1);
    // The account's limiter on a clock that never moves: each wait it asks for is recorded.
    const waits: number[] = [];
    const account = new Account(
      AK,
      { ratePerSecond: 10_000, concurrency: 8 },
      { now: () => 0, sleep: async (ms) => void waits.push(ms) },
    );
    const options: Partial<TransportOptions> = { ...FAST, maxRetryAfterMs: 30_000 };
    const [first, second] = [PROJECT, PROJECT].map((projectId, i) => {
      const transport = new Transport({
        baseUrl: emulator.url,
        account,
        authenticator: new AkSkAuthenticator({ ak: AK, sk: SK }, projectId, () => clock.now()),
        options,
        sleep: async () => undefined,
      });
      return new DataArtsClient(transport, { projectId, ...(i ? { workspace: 'default' } : {}) });
    }) as [DataArtsClient, DataArtsClient];
    emulator.inject({ route: 'show', kind: 429, retryAfterSeconds: 2 });
    await first.getInstance('job_0', '1000');
    waits.length = 0;
    await second.getInstance('job_0', '1000');
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(2000);
  });
});

describe('the rate limit is per credential', () => {
  it('four targets at the default rateLimit against a 30/s per-user gateway: no 429 in 100+ requests', async () => {
    // burst 5: the gateway tolerates little bunching, so 4 targets at 10/s each (40/s) would be throttled.
    ({ emulator, clock } = await emulatorWithClock({ rateLimit: { perSecond: 30, burst: 5 } }));
    const ids = projects(4);
    seedFailures(ids, 25);
    const config = configFor(ids, { maxRestartsPerSweep: 500, maxRestartsPerHour: 1000 });
    expect(config.policy.rateLimit).toBe(10);
    const report = await runSweep({
      config,
      targets: buildTargets(config, { kind: 'aksk', ak: AK, sk: SK }, clock),
      ledger: new MemoryLedger(),
      clock,
    });
    expect(emulator.requests.length).toBeGreaterThanOrEqual(100);
    expect(emulator.requests.filter((r) => r.status === 429).length).toBe(0);
    expect(report.restarted).toHaveLength(100);
  }, 60_000);
});

describe('credentialIdentity', () => {
  it('names a credential by its public part only', () => {
    expect(credentialIdentity({ kind: 'aksk', ak: AK, sk: SK, securityToken: 'temp-token-abc' })).toBe(AK);
    expect(
      credentialIdentity({
        kind: 'password',
        user: 'sweeper',
        password: IAM_PASSWORD,
        domain: 'acme',
        iamEndpoint: 'https://iam.example',
      }),
    ).toBe('acme/sweeper@https://iam.example');
  });
});
