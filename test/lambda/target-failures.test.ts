import { failedSeed } from '../../emulator/builders';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { SweepFailedError } from '../../lib/errors';
import { runLambdaSweep } from '../../lib/lambda/run-sweep';
import { closedPort } from '../support/closed-port';
import { ctx, lambdaDeps } from '../support/lambda-harness';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

let emulator: Emulator;
let clock: ManualClock;

const emf = (output: string[], metric: string) =>
  output
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l))
    .filter((l) => metric in l);

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(PROJECT, undefined, [failedSeed(T0, { jobName: 'ods_orders', instanceId: 11 })]);
});
afterEach(async () => emulator.close());

describe('targets that cannot be swept, in the Lambda', () => {
  it('one of two failing: the invocation succeeds and TargetFailed is published for the alarm', async () => {
    const output: string[] = [];
    const deps = await lambdaDeps(emulator, clock, output);
    const wrong = `http://127.0.0.1:${await closedPort()}`;
    deps.env = {
      ...deps.env,
      AUTORETRY_TARGETS: JSON.stringify([
        { name: 'prod', endpoint: emulator.url, projectId: PROJECT },
        { name: 'typo', endpoint: wrong, projectId: PROJECT, workspace: 'w2' },
      ]),
      AUTORETRY_CLIENT: '{"retries":0}',
    };
    const result = await runLambdaSweep({}, ctx(300_000), deps);
    expect(result.restarted).toHaveLength(1);
    const lines = emf(output, 'TargetFailed');
    expect(lines.find((l) => l.Target === 'typo')).toMatchObject({ TargetFailed: 1, Stage: 'test' });
    expect(lines.find((l) => l.Target === undefined)).toMatchObject({
      TargetFailed: 1,
      Service: 'dataarts-autoretry',
    });
  });

  it('every target failing (a wrong endpoint) fails the invocation, after metrics and the summary', async () => {
    const output: string[] = [];
    const deps = await lambdaDeps(emulator, clock, output);
    deps.env = {
      ...deps.env,
      AUTORETRY_TARGETS: JSON.stringify([
        { name: 'prod', endpoint: `http://127.0.0.1:${await closedPort()}`, projectId: PROJECT },
      ]),
      AUTORETRY_CLIENT: '{"retries":0}',
    };
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toThrow(SweepFailedError);
    await expect(runLambdaSweep({}, ctx(300_000), deps)).rejects.toThrow(
      /no target could be swept: prod \(NETWORK\)/,
    );
    expect(emf(output, 'TargetFailed').length).toBeGreaterThan(0);
  });
});
