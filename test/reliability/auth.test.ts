import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { parseConfig } from '../../lib/config/parse';
import { runSweep } from '../../lib/sweep/sweep';
import { buildTargets } from '../../lib/wiring';
import { freshDynamoLedger } from '../support/dynamo';
import { IAM_PASSWORD, WRONG_SK } from '../support/secrets';
import { emulatorWithClock, FAST, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
let emulator: Emulator;
let clock: ManualClock;
afterEach(async () => emulator.close());

const seed = () => {
  emulator.seed(PROJECT, undefined, [
    { jobName: 'a', instanceId: 1, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
  ]);
  emulator.seed('project-two', undefined, [
    { jobName: 'b', instanceId: 2, status: 'fail', planTime: T0 - 60 * MIN, endTime: T0 - 30 * MIN },
  ]);
};
const config = (iam?: string) =>
  parseConfig({
    targets: [
      { name: 'one', endpoint: emulator.url, projectId: PROJECT, ...(iam ? { iamEndpoint: iam } : {}) },
      { name: 'two', endpoint: emulator.url, projectId: 'project-two', ...(iam ? { iamEndpoint: iam } : {}) },
    ],
    ledger: { type: 'file', path: 'unused' },
    policy: { stormGuard: { enabled: true } },
  });

describe('authentication failures', () => {
  it('a wrong SK: one clear error per target, at most 2 rejected requests in all, nothing restarted', async () => {
    ({ emulator, clock } = await emulatorWithClock());
    seed();
    const { ledger } = await freshDynamoLedger();
    const c = config();
    const report = await runSweep({
      config: c,
      targets: buildTargets(c, { kind: 'aksk', ak: 'EMULATORAKEXAMPLE0001', sk: WRONG_SK }, clock, FAST),
      ledger,
      clock,
    });
    expect(report.targets.map((t) => [t.target, t.error?.code])).toEqual([
      ['one', 'AUTHENTICATION_FAILED'],
      ['two', 'AUTHENTICATION_FAILED'],
    ]);
    expect(report.errors).toHaveLength(2);
    expect(report.errors[0]?.message).toMatch(/answered 401: Incorrect IAM authentication information/);
    // One credential, one account: the first 401 stops both targets (the AK locks after 5).
    const rejected = emulator.requests.filter((r) => r.status === 401).length;
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(rejected).toBeLessThanOrEqual(2);
    expect(emulator.count('restart')).toBe(0);
    expect(JSON.stringify(report)).not.toContain(WRONG_SK);
  });

  it('an expired IAM token is refreshed once and the sweep succeeds', async () => {
    ({ emulator, clock } = await emulatorWithClock({ users: { 'acme/sweeper': IAM_PASSWORD } }));
    seed();
    const { ledger } = await freshDynamoLedger();
    const c = config(emulator.url);
    const targets = buildTargets(
      c,
      { kind: 'password', user: 'sweeper', password: IAM_PASSWORD, domain: 'acme', iamEndpoint: '' },
      clock,
      FAST,
    );
    await runSweep({ config: c, targets, ledger, clock });
    expect(emulator.count('token')).toBe(2);
    emulator.expireTokens();
    clock.advance(10 * MIN);
    emulator.seed(PROJECT, undefined, [
      { jobName: 'c', instanceId: 3, status: 'fail', planTime: T0, endTime: T0 },
    ]);
    const report = await runSweep({ config: c, targets, ledger, clock });
    expect(report.targets.every((t) => t.error === undefined)).toBe(true);
    expect(report.restarted.map((r) => r.instanceId)).toEqual(['3']);
    expect(emulator.count('token')).toBe(4);
    expect(emulator.requests.filter((r) => r.status === 401)).toHaveLength(2);
    expect(JSON.stringify(report)).not.toContain(IAM_PASSWORD);
  });
});
