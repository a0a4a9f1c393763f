import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DynamoDBClient,
  ResourceInUseException,
} from '@aws-sdk/client-dynamodb';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import { createLedgerTable } from '../../lib/ledger/create-table';
import { keyString } from '../../lib/ledger/ledger';

describe('keyString with lone surrogates', () => {
  const key = (target: string) => ({ target, workspace: 'w', jobName: 'j', instanceId: 'i' });

  it('escapes a lone high surrogate as %uXXXX and percent-encodes multi-character plain text around it', () => {
    expect(keyString(key('a b#\ud800'))).toBe('a%20b%23%uD800#w#j#i');
  });

  it('escapes a lone low surrogate that follows a plain character', () => {
    expect(keyString(key('x\udc00y'))).toBe('x%uDC00y#w#j#i');
  });

  it('encodes a valid surrogate pair as UTF-8 beside a lone surrogate', () => {
    expect(keyString(key('\ud83d\ude00\udbff'))).toBe('%F0%9F%98%80%uDBFF#w#j#i');
    expect(keyString(key('ab\udc00\ud83d\ude00z é'))).toBe('ab%uDC00%F0%9F%98%80z%20%C3%A9#w#j#i');
  });
});

describe('createLedgerTable against a scripted DynamoDB client', () => {
  let dynamo: AwsClientStub<DynamoDBClient>;
  let delays: unknown[];
  let setTimeoutSpy: jest.SpyInstance | undefined;
  const client = () =>
    new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });

  const described = (
    tableStatus: string,
    ...indexStatuses: string[]
  ): Partial<DescribeTableCommandOutput> => ({
    Table: {
      TableName: 'T',
      TableStatus: tableStatus as 'ACTIVE',
      GlobalSecondaryIndexes: indexStatuses.map((status, n) => ({
        IndexName: `index${n}`,
        IndexStatus: status as 'ACTIVE',
      })),
    },
  });

  /** Records each wait's delay, and waits 0 ms instead so the test stays short. */
  const recordWaits = () => {
    const realSetTimeout = global.setTimeout;
    delays = [];
    setTimeoutSpy = jest.spyOn(global, 'setTimeout').mockImplementation(((
      callback: (...args: unknown[]) => void,
      ms?: number,
    ) => {
      delays.push(ms);
      return realSetTimeout(callback, 0);
    }) as unknown as typeof setTimeout);
  };

  beforeEach(() => {
    dynamo = mockClient(DynamoDBClient);
  });
  afterEach(() => {
    setTimeoutSpy?.mockRestore();
    setTimeoutSpy = undefined;
    dynamo.restore();
  });

  it('returns only once the table and every index are ACTIVE, backing off 5, 10 ms', async () => {
    recordWaits();
    dynamo.on(CreateTableCommand).resolves({});
    dynamo
      .on(DescribeTableCommand)
      .resolvesOnce(described('CREATING', 'ACTIVE', 'ACTIVE'))
      .resolvesOnce(described('ACTIVE', 'ACTIVE', 'CREATING'))
      .resolvesOnce(described('ACTIVE', 'ACTIVE', 'ACTIVE'))
      .rejects(new Error('described once too often'));
    await createLedgerTable(client(), 'T');
    expect(dynamo.commandCalls(CreateTableCommand).map((call) => call.args[0].input.TableName)).toEqual([
      'T',
    ]);
    expect(dynamo.commandCalls(DescribeTableCommand).map((call) => call.args[0].input)).toEqual([
      { TableName: 'T' },
      { TableName: 'T' },
      { TableName: 'T' },
    ]);
    expect(delays).toEqual([5, 10]);
  });

  it('doubles the wait up to 200 ms', async () => {
    recordWaits();
    dynamo.on(CreateTableCommand).resolves({});
    let stub = dynamo.on(DescribeTableCommand);
    for (let n = 0; n < 8; n++) stub = stub.resolvesOnce(described('CREATING', 'CREATING'));
    stub.resolves(described('ACTIVE', 'ACTIVE'));
    await createLedgerTable(client(), 'T');
    expect(dynamo.commandCalls(DescribeTableCommand)).toHaveLength(9);
    expect(delays).toEqual([5, 10, 20, 40, 80, 160, 200, 200]);
  });

  it('really waits between answers (with real timers)', async () => {
    dynamo.on(CreateTableCommand).resolves({});
    dynamo.on(DescribeTableCommand).resolvesOnce(described('CREATING')).resolves(described('ACTIVE'));
    await createLedgerTable(client(), 'T');
    expect(dynamo.commandCalls(DescribeTableCommand)).toHaveLength(2);
  });

  it('goes on to wait when the table already exists (ResourceInUseException)', async () => {
    dynamo
      .on(CreateTableCommand)
      .rejects(new ResourceInUseException({ message: 'Table already exists: T', $metadata: {} }));
    dynamo.on(DescribeTableCommand).resolves(described('ACTIVE', 'ACTIVE', 'ACTIVE'));
    await expect(createLedgerTable(client(), 'T')).resolves.toBeUndefined();
    expect(dynamo.commandCalls(DescribeTableCommand)).toHaveLength(1);
  });

  it('rethrows any other CreateTable error without describing the table', async () => {
    const failure = new Error('AccessDeniedException');
    dynamo.on(CreateTableCommand).rejects(failure);
    dynamo.on(DescribeTableCommand).resolves(described('ACTIVE'));
    await expect(createLedgerTable(client(), 'T')).rejects.toBe(failure);
    expect(dynamo.commandCalls(DescribeTableCommand)).toHaveLength(0);
  });
});
