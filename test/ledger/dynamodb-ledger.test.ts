import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { LedgerError } from '../../lib/errors';
import { DynamoDbLedger } from '../../lib/ledger/dynamodb-ledger';
import type { ClaimRequest, InstanceKey } from '../../lib/ledger/ledger';
import { keyString } from '../../lib/ledger/ledger';
import { dynaliteClient, freshDynamoLedger } from '../support/dynamo';

/** What only the DynamoDB ledger does: lost answers, legacy items, paging, retries and its errors. */

const NOW = Date.UTC(2026, 10, 24, 8, 0, 0);
const LEASE = 180_000;
const FAILED = NOW - 1_800_000;
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
  expiresAt: NOW + 86_400_000,
  claimId: `claim-${counter++}`,
  leaseUntil: NOW + LEASE,
  failureAt: FAILED,
  observedAt: NOW,
  ...overrides,
});
const pk = (key: InstanceKey) => `inst#${keyString(key)}`;

describe('DynamoDB ledger on dynalite', () => {
  let ledger: DynamoDbLedger;
  let table: string;
  let doc: DynamoDBDocumentClient;
  beforeEach(async () => {
    const fresh = await freshDynamoLedger();
    ({ ledger, table } = fresh);
    // A client of its own: a second document client built on the ledger's client would share its settings.
    doc = DynamoDBDocumentClient.from(dynaliteClient());
  });
  const item = async (id: string) =>
    (
      await doc.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: [{ pk: id }], ConsistentRead: true } } }),
      )
    ).Responses?.[table]?.[0];

  it('a claim retried after its answer was lost is recognised as ours; another claim id is not', async () => {
    const key = freshKey();
    const claim = request();
    expect(await ledger.claim(key, claim)).toBe(true);
    expect(await ledger.claim(key, claim)).toBe(true);
    expect(await ledger.claim(key, { ...claim, claimId: 'other' })).toBe(false);
    expect((await ledger.read([key])).get(keyString(key))?.attempts).toBe(1);
  });

  it('a settle retried after its answer was lost is recognised; a different outcome or time is not', async () => {
    const key = freshKey();
    const claim = request();
    await ledger.claim(key, claim);
    const settlement = { attempt: 1, claimId: claim.claimId, at: NOW + 1, outcome: 'restarted' as const };
    expect(await ledger.settle(key, settlement)).toBe(true);
    expect(await ledger.settle(key, settlement)).toBe(true);
    expect(await ledger.settle(key, { ...settlement, at: NOW + 2 })).toBe(false);
    expect(await ledger.settle(key, { ...settlement, outcome: 'rejected' })).toBe(false);
    expect(await ledger.settle(key, { ...settlement, claimId: 'other' })).toBe(false);
    expect(await ledger.settle(freshKey(), settlement)).toBe(false);
  });

  it('reads no keys without a request, and drops an undefined field of a record', async () => {
    expect((await ledger.read([])).size).toBe(0);
    const key = freshKey();
    const claim = request();
    await ledger.claim(key, claim);
    const settlement = { attempt: 1, claimId: claim.claimId, at: NOW, outcome: 'rejected', code: undefined };
    expect(await ledger.settle(key, settlement as never)).toBe(true);
    expect((await ledger.read([key])).get(keyString(key))?.outcomes).toStrictEqual({
      '1': { at: NOW, outcome: 'rejected' },
    });
  });

  it('reads each key once, however often it is asked for', async () => {
    const key = freshKey();
    await ledger.claim(key, request());
    const entries = await ledger.read([key, { ...key }, key]);
    expect([...entries.keys()]).toEqual([keyString(key)]);
  });

  it('an item left `claimed` by an older version is in flight, and frees its failure after the lease', async () => {
    const key = freshKey();
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: pk(key),
          ...key,
          attempts: 1,
          lastOutcome: 'claimed',
          claimId: 'old',
          leaseUntil: NOW + LEASE,
          leaseTarget: key.target,
          failureAt: FAILED,
          outcomes: {},
          expiresAt: 2e9,
        },
      }),
    );
    expect((await ledger.read([key])).get(keyString(key))?.lastOutcome).toBe('in-flight');
    expect((await ledger.inFlight(key.target)).map((e) => e.claimId)).toContain('old');
    const later = NOW + LEASE;
    expect(await ledger.claim(key, request({ expectedAttempts: 1, now: later, observedAt: later }))).toBe(
      true,
    );
  });

  it('lists only attempts still in flight from the index, and reads items with missing fields', async () => {
    const key = freshKey();
    // An item that still carries the index key but whose attempt is over (an older version's write).
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: pk(key), ...key, lastOutcome: 'restarted', leaseTarget: 'listed' },
      }),
    );
    expect(await ledger.inFlight('listed')).toEqual([]);
    const bare = freshKey();
    await doc.send(new PutCommand({ TableName: table, Item: { pk: pk(bare), ...bare } }));
    expect((await ledger.read([bare])).get(keyString(bare))).toStrictEqual({
      ...bare,
      attempts: 0,
      outcomes: {},
      expiresAt: 0,
    });
  });

  it('stores every claim field, the index key while in flight, and counters that expire after a day', async () => {
    const key = freshKey();
    const claim = request({ notBefore: NOW + 5, leaseUntil: NOW + 6 });
    await ledger.claim(key, claim);
    expect(await item(pk(key))).toEqual({
      pk: pk(key),
      ...key,
      attempts: 1,
      lastAttemptAt: NOW,
      notBefore: NOW + 5,
      lastOutcome: 'in-flight',
      claimId: claim.claimId,
      leaseUntil: NOW + 6,
      leaseTarget: key.target,
      attemptTarget: key.target,
      failureAt: FAILED,
      previousFailureAt: 0,
      outcomes: {},
      expiresAt: Math.ceil((NOW + 86_400_000) / 1000),
    });
    await ledger.reserveHourly('a b', NOW + 1500, 5, 2);
    expect(await item('rate#a%20b#2026-11-24T08')).toEqual({
      pk: 'rate#a%20b#2026-11-24T08',
      restarts: 2,
      expiresAt: Math.ceil((NOW + 1500) / 1000) + 86_400,
    });
  });
});

describe('DynamoDB ledger against a scripted service', () => {
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
  const conflict = () => new ConditionalCheckFailedException({ message: 'failed', $metadata: {} });
  const stored = (key: InstanceKey, fields: Record<string, unknown> = {}) => ({
    pk: pk(key),
    ...key,
    attempts: 1,
    outcomes: {},
    expiresAt: 2e9,
    ...fields,
  });

  beforeEach(() => docMock.reset());
  afterEach(() => jest.useRealTimers());
  afterAll(() => docMock.restore());

  it('asks again for unprocessed keys after 100 ms, then 200 ms', async () => {
    jest.useFakeTimers();
    const [a, b, c] = [freshKey(), freshKey(), freshKey()];
    docMock
      .on(BatchGetCommand)
      .resolvesOnce({
        Responses: { T: [stored(a)] },
        UnprocessedKeys: { T: { Keys: [{ pk: pk(b) }, { pk: pk(c) }] } },
      })
      .resolvesOnce({ Responses: { T: [stored(b)] }, UnprocessedKeys: { T: { Keys: [{ pk: pk(c) }] } } })
      .resolvesOnce({ Responses: { T: [stored(c)] }, UnprocessedKeys: {} });
    const reading = ledger().read([a, b, c]);
    await jest.advanceTimersByTimeAsync(99);
    expect(docMock.commandCalls(BatchGetCommand)).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(docMock.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect(docMock.commandCalls(BatchGetCommand)[1]?.args[0].input.RequestItems).toEqual({
      T: { Keys: [{ pk: pk(b) }, { pk: pk(c) }] },
    });
    await jest.advanceTimersByTimeAsync(199);
    expect(docMock.commandCalls(BatchGetCommand)).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    const entries = await reading;
    expect([...entries.keys()]).toEqual([a, b, c].map(keyString));
    expect(docMock.commandCalls(BatchGetCommand)[0]?.args[0].input.RequestItems).toEqual({
      T: { Keys: [a, b, c].map((k) => ({ pk: pk(k) })), ConsistentRead: true },
    });
  });

  it('gives up after 9 rounds of unprocessed keys', async () => {
    jest.useFakeTimers();
    const key = freshKey();
    docMock.on(BatchGetCommand).resolves({ UnprocessedKeys: { T: { Keys: [{ pk: pk(key) }] } } });
    const reading = ledger()
      .read([key])
      .catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(60_000);
    const error = await reading;
    expect(error).toBeInstanceOf(LedgerError);
    expect((error as Error).message).toBe('DynamoDB kept returning unprocessed keys');
    expect(docMock.commandCalls(BatchGetCommand)).toHaveLength(9);
  });

  it('pages through the leases index', async () => {
    const [a, b, c] = [freshKey(), freshKey(), freshKey()];
    docMock
      .on(QueryCommand)
      .resolvesOnce({ Items: [stored(a, { lastOutcome: 'in-flight' })], LastEvaluatedKey: { pk: 'next' } })
      .resolvesOnce({
        Items: [stored(b, { lastOutcome: 'in-flight' }), stored(c, { lastOutcome: 'unconfirmed' })],
      });
    const open = await ledger().inFlight('ddb');
    expect(open.map((e) => e.instanceId)).toEqual([a.instanceId, b.instanceId]);
    const calls = docMock.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(calls).toEqual([
      {
        TableName: 'T',
        IndexName: 'leases',
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': 'leaseTarget' },
        ExpressionAttributeValues: { ':partition': 'ddb' },
      },
      {
        TableName: 'T',
        IndexName: 'leases',
        KeyConditionExpression: '#partition = :partition',
        ExpressionAttributeNames: { '#partition': 'leaseTarget' },
        ExpressionAttributeValues: { ':partition': 'ddb' },
        ExclusiveStartKey: { pk: 'next' },
      },
    ]);
  });

  it('a same-failure claim whose answer was lost is recognised as ours', async () => {
    const key = freshKey();
    const claim = request({ expectedAttempts: 1, now: NOW + LEASE, observedAt: NOW + LEASE });
    const previous = stored(key, {
      failureAt: FAILED,
      lastOutcome: 'unconfirmed',
      leaseUntil: NOW + LEASE,
      claimId: 'c',
    });
    docMock.on(UpdateCommand).rejects(conflict());
    docMock
      .on(BatchGetCommand)
      .resolvesOnce({ Responses: { T: [previous] } })
      .resolvesOnce({ Responses: { T: [{ ...previous, claimId: claim.claimId, attempts: 2 }] } });
    expect(await ledger().claim(key, claim)).toBe(true);
    expect(docMock.commandCalls(UpdateCommand)).toHaveLength(2);
    for (const call of docMock.commandCalls(BatchGetCommand)) {
      expect(call.args[0].input.RequestItems).toEqual({
        T: { Keys: [{ pk: pk(key) }], ConsistentRead: true },
      });
    }
    docMock.on(BatchGetCommand).resolves({ Responses: { T: [previous] } });
    expect(await ledger().claim(key, claim)).toBe(false);
  });

  it('retries a conflicting reservation with what is left, at most 5 times', async () => {
    docMock.on(UpdateCommand).rejects(conflict());
    docMock.on(BatchGetCommand).resolves({ Responses: { T: [{ pk: 'rate', restarts: 6 }] } });
    expect(await ledger().reserveHourly('t', NOW, 10, 8)).toBe(0);
    const asked = docMock
      .commandCalls(UpdateCommand)
      .map((call) => call.args[0].input.ExpressionAttributeValues);
    expect(asked.map((values) => [values?.[':n'], values?.[':limit']])).toEqual([
      [8, 2],
      [4, 6],
      [4, 6],
      [4, 6],
      [4, 6],
    ]);
  });

  it('counts the SDK’s retries, and wraps every failure but a failed condition in a LedgerError', async () => {
    const subject = ledger();
    docMock.on(BatchGetCommand).resolves({ Responses: { T: [] }, $metadata: { attempts: 3 } });
    expect(await subject.hourlyCount('t', NOW)).toBe(0);
    expect(subject.stats.retries).toBe(2);
    docMock.on(BatchGetCommand).resolves({ Responses: { T: [] }, $metadata: {} });
    await subject.hourlyCount('t', NOW);
    expect(subject.stats.retries).toBe(2);

    const throttled = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { attempts: 4 },
    });
    docMock.on(BatchGetCommand).rejects(throttled);
    const error = await subject.hourlyCount('t', NOW).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LedgerError);
    expect(error).toMatchObject({
      message: 'DynamoDB ledger T: ThrottlingException: slow down',
      cause: throttled,
    });
    expect(subject.stats.retries).toBe(5);

    docMock.on(BatchGetCommand).callsFake(() => Promise.reject('plain'));
    await expect(subject.hourlyCount('t', NOW)).rejects.toMatchObject({
      message: 'DynamoDB ledger T: plain',
    });
    expect(subject.stats.retries).toBe(5);

    docMock.on(UpdateCommand).rejects(conflict());
    expect(await subject.markExhausted(freshKey(), NOW)).toBe(false);
    docMock.on(UpdateCommand).rejects(throttled);
    await expect(subject.markExhausted(freshKey(), NOW)).rejects.toBeInstanceOf(LedgerError);
  });
});
