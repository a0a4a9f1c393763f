import { PublishCommand } from '@aws-sdk/client-sns';
import 'aws-sdk-client-mock-jest';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ManualClock } from '../../emulator/manual-clock';
import type { Emulator } from '../../emulator/server';
import { type LambdaDeps, type LambdaResult, runLambdaSweep } from '../../lib/lambda/run-sweep';
import { ledgerDynamoClient } from '../../lib/ledger/dynamodb-client';
import {
  type DynamoCall,
  type Fault,
  type FaultyDynamo,
  isClaim,
  isSettle,
  startFaultyDynamo,
} from '../support/faulty-dynamo';
import { ctx, lambdaDeps, snsMock } from '../support/lambda-harness';
import { emulatorWithClock, PROJECT, T0 } from '../support/targets';

const MIN = 60_000;
const QUIET = '0a1b2c3d4e5f40718293a4b5c6d7e8f9';
/** What the function is given: its deadline is 20 s - DEADLINE_MARGIN (5 s) away, in real time. */
const LAMBDA_TIMEOUT_MS = 20_000;

let emulator: Emulator;
let clock: ManualClock;
let deps: LambdaDeps;
let proxy: FaultyDynamo | undefined;

// A stalled call is given up after LEDGER_TIMEOUT (2 s of real time, room for the calls
// that do answer on a loaded machine); the whole invocation still ends far within
// LAMBDA_TIMEOUT_MS, which the test races.
jest.setTimeout(60_000);

beforeEach(async () => {
  ({ emulator, clock } = await emulatorWithClock());
  emulator.seed(
    PROJECT,
    undefined,
    [1, 2, 3, 4].map((id) => ({
      jobName: `job_${id}`,
      instanceId: id,
      status: 'fail',
      planTime: T0 - 60 * MIN,
      endTime: T0 - 30 * MIN,
    })),
  );
  emulator.seed(QUIET, undefined, []);
  deps = await lambdaDeps(emulator, clock, []);
  Object.assign(deps.env, {
    // A second, quiet target: the invocation returns its report unless the ledger fails both.
    AUTORETRY_TARGETS: JSON.stringify([
      { name: 'prod', endpoint: emulator.url, projectId: PROJECT },
      { name: 'quiet', endpoint: emulator.url, projectId: QUIET },
    ]),
    AUTORETRY_POLICY: JSON.stringify({ rateLimit: 1000, concurrency: 1, stormGuard: { enabled: false } }),
    AUTORETRY_CLIENT: JSON.stringify({ timeout: '2s', retries: 0 }),
    LEDGER_TIMEOUT: '2s',
    DEADLINE_MARGIN: '5s',
    NOTIFY_POLICY: 'always',
  });
});
afterEach(async () => {
  await emulator.close();
  await proxy?.close();
  proxy = undefined;
});

/** One invocation whose ledger goes through a proxy playing `fault`; `timed-out` if it outlives the Lambda. */
async function invokeWith(
  fault: (call: DynamoCall) => Fault,
): Promise<{ result?: LambdaResult; error?: Error; timedOut: boolean }> {
  proxy = await startFaultyDynamo(process.env.DYNALITE_ENDPOINT as string, fault);
  deps.dynamo = ledgerDynamoClient({ endpoint: proxy.endpoint, region: 'eu-west-1' });
  let timer: NodeJS.Timeout | undefined;
  const lambdaTimeout = new Promise<'timed-out'>((resolve) => {
    timer = setTimeout(() => resolve('timed-out'), LAMBDA_TIMEOUT_MS);
  });
  const invocation = runLambdaSweep({}, ctx(LAMBDA_TIMEOUT_MS), deps).then(
    (result) => ({ result, timedOut: false }),
    (error: Error) => ({ error, timedOut: false }),
  );
  const ended = await Promise.race([invocation, lambdaTimeout]);
  clearTimeout(timer);
  return ended === 'timed-out' ? { timedOut: true } : ended;
}

describe('the Lambda sweep against a DynamoDB ledger that stops answering', () => {
  it('a settle that never answers: the invocation returns its report in time, each restart sent once and still counted', async () => {
    const { result, timedOut } = await invokeWith((call) => (isSettle(call) ? 'stall' : 'pass'));
    expect(timedOut).toBe(false);
    // The first restart was sent; its settle did not answer, so nothing more is restarted on the target.
    expect(emulator.count('restart')).toBe(1);
    expect(result?.restarted).toHaveLength(1);
    const [error] = result?.errors ?? [];
    expect(error).toMatchObject({ code: 'LEDGER_FAILED', attemptCounted: true });
    expect(error?.message).toContain('did not answer settle within 2 s');
    expect(error?.message).toContain('the attempt stays counted');
    expect(result?.decisions.filter((d) => d.outcome === 'target-halted')).toHaveLength(3);
    // The claim reached the table: attempt 1 is counted, in flight, for a later sweep to confirm.
    const instanceId = result?.restarted[0]?.instanceId as string;
    const item = await deps.dynamo.send(
      new GetItemCommand({
        TableName: deps.env.LEDGER_TABLE,
        Key: { pk: { S: `inst#prod#default#job_${instanceId}#${instanceId}` } },
        ConsistentRead: true,
      }),
    );
    expect(item.Item?.attempts).toEqual({ N: '1' });
    expect(item.Item?.lastOutcome).toEqual({ S: 'in-flight' });
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a claim that never answers: nothing is restarted, the invocation returns in time and says why', async () => {
    const { result, timedOut } = await invokeWith((call) => (isClaim(call) ? 'stall' : 'pass'));
    expect(timedOut).toBe(false);
    expect(emulator.count('restart')).toBe(0);
    expect(result?.targets[0]?.error?.message).toContain('did not answer claim within 2 s');
    expect(result?.targets[1]?.error).toBeUndefined();
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a ledger that answers nothing at all: the invocation fails in time, naming the ledger, after notifying', async () => {
    const { error, timedOut } = await invokeWith(() => 'stall');
    expect(timedOut).toBe(false);
    expect(emulator.count('restart')).toBe(0);
    expect(error?.message).toMatch(
      /no target could be swept: prod \(LEDGER_FAILED\), quiet \(LEDGER_FAILED\)/,
    );
    expect(snsMock).toHaveReceivedCommandTimes(PublishCommand, 1);
  });

  it('a settle whose answer is lost after DynamoDB wrote it: recorded once, nothing rerun twice', async () => {
    let dropped = 0;
    const { result, timedOut } = await invokeWith((call) =>
      isSettle(call) && dropped++ === 0 ? 'drop' : 'pass',
    );
    expect(timedOut).toBe(false);
    expect(result?.restarted).toHaveLength(4);
    for (const id of [1, 2, 3, 4]) expect(emulator.restarts(id)).toBe(1);
    expect(result?.errors).toEqual([]);
  });
});
