import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { LedgerError } from '../../lib/errors';
import { createLedgerTable } from '../../lib/ledger/create-table';
import { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';
import type { ClaimRequest, InstanceKey } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import type { EntrySelector } from '../../lib/ledger/ledger-history';
import { awaitingKey } from '../../lib/ledger/ledger-recovery';
import { dynaliteClient, ledgerBeforeTheAttemptsIndex } from '../support/dynamo';

/** The DynamoDB ledger's edges: what it stores, what it skips, and which failures it tells apart. */

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const LEASE = 180_000;
const FAILED = NOW - 1_800_000;
const EXPIRES = NOW + 86_400_000;
let counter = 0;
const freshKey = (): InstanceKey => ({
  target: 'ddb',
  workspace: 'w',
  jobName: `j${counter}`,
  instanceId: String(counter++),
});
const request = (overrides: Partial<ClaimRequest> = {}): ClaimRequest => ({
  expectedAttempts: 0,
  maxAttempts: 3,
  now: NOW,
  notBefore: NOW,
  expiresAt: EXPIRES,
  claimId: `claim-${counter++}`,
  leaseUntil: NOW + LEASE,
  failureAt: FAILED,
  observedAt: NOW,
  ...overrides,
});
const pk = (key: InstanceKey) => `inst#${keyString(key)}`;
const resetBy = (now: number) => ({ now, by: 'op', reason: 'fixed' });

describe('DynamoDB ledger on dynalite: stored items and races', () => {
  let ledger: DynamoDbLedger;
  let table: string;
  let doc: DynamoDBDocumentClient;
  /** Runs once just before the ledger's next reset write: another writer racing it. */
  let beforeResetWrite: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const client = dynaliteClient();
    table = `ledger-${randomUUID().slice(0, 8)}`;
    await createLedgerTable(client, table);
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { ConditionExpression?: string };
        const hook = beforeResetWrite;
        if (hook && input.ConditionExpression?.startsWith('attempts = :attempts')) {
          beforeResetWrite = undefined;
          await hook();
        }
        return next(args);
      },
      { step: 'initialize' },
    );
    ledger = new DynamoDbLedger(client, table);
    beforeResetWrite = undefined;
    // A client of its own: a second document client built on the ledger's client would share its settings.
    doc = DynamoDBDocumentClient.from(dynaliteClient());
  });
  const item = async (id: string) =>
    (
      await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [{ pk: id }], ConsistentRead: true } } }),
      )
    ).Responses?.[table]?.[0];
  const put = (key: InstanceKey, fields: Record<string, unknown>) =>
    doc.send(new PutCommand({ TableName: table, Item: { pk: pk(key), ...key, expiresAt: 2e9, ...fields } }));
  const restarted = async (key: InstanceKey) => {
    const claim = request();
    await ledger.claim(key, claim);
    await ledger.settle(key, { attempt: 1, claimId: claim.claimId, at: NOW + 1, outcome: 'restarted' });
  };

  it('a settle other than `restarted` takes the entry out of the leases index; `restarted` moves it to the awaiting partition', async () => {
    const [rejected, rerun] = [freshKey(), freshKey()];
    const claim = request();
    await ledger.claim(rejected, claim);
    await ledger.settle(rejected, { attempt: 1, claimId: claim.claimId, at: NOW + 1, outcome: 'rejected' });
    expect(await item(pk(rejected))).not.toHaveProperty('leaseTarget');
    await restarted(rerun);
    expect((await item(pk(rerun)))?.leaseTarget).toBe(awaitingKey(rerun.target));
  });

  it('a rerun reset to 0 attempts while still in the awaiting partition awaits no verdict', async () => {
    const [reset, awaited] = [freshKey(), freshKey()];
    const partition = awaitingKey('ddb');
    await put(reset, { attempts: 0, lastOutcome: 'restarted', leaseTarget: partition, outcomes: {} });
    await put(awaited, {
      attempts: 1,
      lastOutcome: 'restarted',
      leaseTarget: partition,
      outcomes: { '1': { at: NOW, outcome: 'restarted' } },
    });
    expect((await ledger.awaitingVerdict('ddb')).map((e) => e.instanceId)).toEqual([awaited.instanceId]);
  });

  it('stores a verdict count under job#<target>##<job>#, expiring at the given time in epoch seconds', async () => {
    const key = { target: 'ddb', workspace: 'w', jobName: 'j 1', instanceId: 'i' };
    await restarted(key);
    expect(await ledger.markRecovery(key, 1, 'recovered', NOW + 2, EXPIRES + 1)).toBe(true);
    expect(await item('job#ddb##j%201#')).toEqual({
      pk: 'job#ddb##j%201#',
      jobName: 'j 1',
      recovered: 1,
      expiresAt: Math.ceil((EXPIRES + 1) / 1000),
    });
    expect(await ledger.jobRecovery('ddb', ['j 1'])).toEqual(
      new Map([['j 1', { recovered: 1, failedAgain: 0 }]]),
    );
  });

  it('reads verdict counts of no jobs as none, and of more than 100 jobs in batches', async () => {
    expect((await ledger.jobRecovery('ddb', [])).size).toBe(0);
    const key = { target: 'ddb', workspace: 'w', jobName: 'late', instanceId: 'i' };
    await restarted(key);
    await ledger.markRecovery(key, 1, 'failed-again', NOW + 2, EXPIRES);
    const names = [...Array.from({ length: 150 }, (_, i) => `job-${i}`), 'late'];
    expect(await ledger.jobRecovery('ddb', names)).toEqual(
      new Map([['late', { recovered: 0, failedAgain: 1 }]]),
    );
  });

  it('history lists instance entries only, never the hourly or verdict counters', async () => {
    const key = freshKey();
    await restarted(key);
    await ledger.markRecovery(key, 1, 'recovered', NOW + 2, EXPIRES);
    await ledger.reserveHourly('ddb', NOW, 5, 1);
    expect((await ledger.history({})).map((e) => keyString(e))).toEqual([keyString(key)]);
    expect((await ledger.history({ jobName: key.jobName })).map((e) => keyString(e))).toEqual([
      keyString(key),
    ]);
  });

  it('history ignores a selector field given as undefined', async () => {
    const key = freshKey();
    await ledger.claim(key, request());
    // As a caller built from optional inputs passes it (the type forbids an explicit undefined).
    const selector = {
      target: 'ddb',
      jobName: undefined,
      instanceId: key.instanceId,
    } as unknown as EntrySelector;
    expect((await ledger.history(selector)).map((e) => keyString(e))).toEqual([keyString(key)]);
  });

  it('refuses to reset a key it has no entry for, saying so', async () => {
    expect(await ledger.reset(freshKey(), resetBy(NOW))).toEqual({
      status: 'refused',
      reason: 'no ledger entry',
    });
  });

  it('resets an entry written without a claim id (an older version’s)', async () => {
    const key = freshKey();
    await put(key, {
      attempts: 1,
      lastOutcome: 'rejected',
      failureAt: FAILED,
      outcomes: { '1': { at: NOW, outcome: 'rejected' } },
    });
    const result = await ledger.reset(key, resetBy(NOW + 1));
    expect(result.status).toBe('reset');
    expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(0);
  });

  it('refuses a reset when a lease appears on the unknown outcome between its read and its write', async () => {
    const key = freshKey();
    await put(key, {
      attempts: 1,
      lastOutcome: 'unconfirmed',
      claimId: 'c',
      leaseUntil: NOW - 1,
      failureAt: FAILED,
      outcomes: { '1': { at: NOW - 1, outcome: 'unconfirmed' } },
    });
    beforeResetWrite = async () => {
      await doc.send(
        new UpdateCommand({
          TableName: table,
          Key: { pk: pk(key) },
          UpdateExpression: 'SET leaseUntil = :later',
          ExpressionAttributeValues: { ':later': NOW + LEASE },
        }),
      );
    };
    expect(await ledger.reset(key, resetBy(NOW))).toEqual({
      status: 'refused',
      reason: expect.stringContaining('the entry changed while resetting'),
    });
    expect(beforeResetWrite).toBeUndefined();
    expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(1);
  });

  it('refuses a reset when a sweep claims the entry between its read and its write', async () => {
    const key = freshKey();
    await put(key, {
      attempts: 1,
      lastOutcome: 'rejected',
      claimId: 'c',
      failureAt: FAILED,
      outcomes: { '1': { at: NOW, outcome: 'rejected' } },
    });
    const claim = request({ expectedAttempts: 1, failureAt: FAILED + 1, now: NOW + 1 });
    beforeResetWrite = async () => {
      expect(await ledger.claim(key, claim)).toBe(true);
    };
    const result = await ledger.reset(key, resetBy(NOW + 1));
    expect(result).toEqual({ status: 'refused', reason: expect.stringContaining('a sweep is at work') });
    expect((await ledger.read([key])).get(keyString(key))).toMatchObject({
      attempts: 2,
      claimId: claim.claimId,
    });
  });

  it('answers undefined for attempted keys when the table has no attempts index (a table older than it)', async () => {
    const old = await ledgerBeforeTheAttemptsIndex();
    expect(await old.attemptedKeys('ddb', 0)).toBeUndefined();
  });
});

describe('DynamoDB ledger against a scripted service: edges', () => {
  // Created here, not at collection time: the dynalite tests above must reach dynalite.
  let docMock: AwsClientStub<DynamoDBDocumentClient>;
  beforeAll(() => {
    docMock = mockClient(DynamoDBDocumentClient);
  });
  const ledger = () =>
    new DynamoDbLedger(
      new DynamoDBClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }),
      'T',
    );
  const named = (name: string, message: string) => Object.assign(new Error(message), { name });
  const throttled = () => named('ThrottlingException', 'slow down');
  const stored = (key: InstanceKey) => ({ pk: pk(key), ...key, attempts: 1, outcomes: {}, expiresAt: 2e9 });

  beforeEach(() => docMock.reset());
  afterAll(() => docMock.restore());

  it('history reads consistently, page after page, with no attribute names when nothing is selected', async () => {
    const [a, b] = [freshKey(), freshKey()];
    docMock
      .on(ScanCommand)
      .resolvesOnce({ Items: [stored(a)], LastEvaluatedKey: { pk: 'next' } })
      .resolvesOnce({ Items: [stored(b)] });
    expect((await ledger().history({})).map((e) => e.instanceId)).toEqual([a.instanceId, b.instanceId]);
    const first = {
      TableName: 'T',
      ConsistentRead: true,
      FilterExpression: 'begins_with(pk, :inst)',
      ExpressionAttributeValues: { ':inst': 'inst#' },
    };
    expect(docMock.commandCalls(ScanCommand).map((call) => call.args[0].input)).toEqual([
      first,
      { ...first, ExclusiveStartKey: { pk: 'next' } },
    ]);
  });

  it('reads verdict counts consistently, by job#<target>##<job>#', async () => {
    docMock.on(BatchGetCommand).resolves({ Responses: { T: [{ pk: 'x', jobName: 'j', recovered: 2 }] } });
    expect(await ledger().jobRecovery('t', ['j'])).toEqual(
      new Map([['j', { recovered: 2, failedAgain: 0 }]]),
    );
    expect(docMock.commandCalls(BatchGetCommand).map((call) => call.args[0].input.RequestItems)).toEqual([
      { T: { Keys: [{ pk: 'job#t##j#' }], ConsistentRead: true } },
    ]);
  });

  it('reserving or giving back nothing writes nothing, so cannot fail', async () => {
    docMock.on(UpdateCommand).rejects(throttled());
    docMock.on(BatchGetCommand).rejects(throttled());
    expect(await ledger().reserveHourly('t', NOW, 5, 0)).toBe(0);
    expect(await ledger().reserveHourly('t', NOW, 0, 3)).toBe(0);
    await expect(ledger().releaseHourly('t', NOW, 0)).resolves.toBeUndefined();
    expect(docMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('attempted keys: only a ValidationException about an index means no index; other failures are thrown', async () => {
    docMock.on(QueryCommand).rejects(throttled());
    await expect(ledger().attemptedKeys('t', 0)).rejects.toThrow(
      expect.objectContaining({ message: expect.stringContaining('ThrottlingException') }),
    );
    docMock.on(QueryCommand).rejects(named('ValidationException', 'Invalid KeyConditionExpression'));
    await expect(ledger().attemptedKeys('t', 0)).rejects.toBeInstanceOf(LedgerError);
    docMock.on(QueryCommand).rejects(named('ResourceNotFoundException', 'no such index'));
    await expect(ledger().attemptedKeys('t', 0)).rejects.toBeInstanceOf(LedgerError);
    docMock
      .on(QueryCommand)
      .rejects(named('ValidationException', 'The table does not have the specified index: attempts'));
    expect(await ledger().attemptedKeys('t', 0)).toBeUndefined();
  });

  it('attempted keys: a missing index named only by the failure’s cause is still recognised', async () => {
    const cause = named('ValidationException', 'The table does not have the specified index: attempts');
    docMock.on(QueryCommand).rejects(new LedgerError({ message: 'query failed', cause }));
    expect(await ledger().attemptedKeys('t', 0)).toBeUndefined();
  });
});
