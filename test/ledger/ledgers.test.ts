import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { LedgerError } from '../../lib/errors';
import { FileLedger } from '../../lib/ledger/file-ledger';
import { keyString } from '../../lib/ledger/ledger';
import { freshDynamoLedger } from '../support/dynamo';
import { MemoryLedger } from '../support/memory-ledger';
import { ledgerContract, pruningContract } from './contract';
import { claimRuleContract } from './contract-claim-rule';
import { conditionsContract, expiryConditions } from './contract-conditions';
import { historyContract } from './contract-history';
import { incidentsContract } from './contract-incidents';
import { recoveryContract } from './contract-recovery';

ledgerContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
ledgerContract('memory (test support)', async () => new MemoryLedger());
ledgerContract(
  'file',
  async () => new FileLedger(join(await mkdtemp(join(tmpdir(), 'ledger-')), 'ledger.json')),
);

const tempFileLedger = async () =>
  new FileLedger(join(await mkdtemp(join(tmpdir(), 'ledger-')), 'ledger.json'));
claimRuleContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
claimRuleContract('file', tempFileLedger);
conditionsContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
conditionsContract('memory (test support)', async () => new MemoryLedger());
conditionsContract('file', tempFileLedger);
expiryConditions('memory', async () => new MemoryLedger());
expiryConditions('file', tempFileLedger);
historyContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
historyContract('memory (test support)', async () => new MemoryLedger());
historyContract('file', tempFileLedger);
recoveryContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
recoveryContract('memory (test support)', async () => new MemoryLedger());
recoveryContract('file', tempFileLedger);
incidentsContract('DynamoDB (dynalite)', async () => (await freshDynamoLedger()).ledger);
incidentsContract('memory (test support)', async () => new MemoryLedger());
incidentsContract('file', tempFileLedger);

describe('expiry', () => {
  pruningContract('memory', async () => new MemoryLedger());
  pruningContract(
    'file',
    async () => new FileLedger(join(await mkdtemp(join(tmpdir(), 'ledger-')), 'ledger.json')),
  );
});

describe('file ledger specifics', () => {
  it('refuses to overwrite a file that is not a ledger', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'ledger-')), 'ledger.json');
    await writeFile(path, 'precious data');
    const ledger = new FileLedger(path);
    await expect(ledger.reserveHourly('t', 0, 5, 1)).rejects.toBeInstanceOf(LedgerError);
    expect(await readFile(path, 'utf8')).toBe('precious data');
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ledger-'));
    const path = join(dir, 'ledger.json');
    await writeFile(`${path}.lock`, '999999');
    const { utimes } = await import('node:fs/promises');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${path}.lock`, old, old);
    await expect(new FileLedger(path).reserveHourly('t', 0, 5, 1)).resolves.toBe(1);
  });
});

describe('an incident board this version cannot read is refused, never taken for "no incident"', () => {
  const good = {
    causeKey: 'k1',
    causeText: 'x',
    state: 'open',
    openedAt: 1,
    since: 1,
    jobs: 5,
    probes: 0,
    nextProbeAt: 2,
    batches: 0,
    released: 0,
    held: 5,
    updatedAt: 1,
  };
  it.each([
    ['a version that is not a whole number', { version: 1.5, incidents: {} }],
    ['no incidents', { version: 1 }],
    ['an incident under another key', { version: 1, incidents: { k2: good } }],
    [
      'a state this version does not know',
      { version: 1, incidents: { k1: { ...good, state: 'half-open' } } },
    ],
    ['a time that is not a number', { version: 1, incidents: { k1: { ...good, nextProbeAt: 'soon' } } }],
    ['an incident that is not an object', { version: 1, incidents: { k1: null } }],
  ])('%s', async (_, item) => {
    const { ledger, table, client } = await freshDynamoLedger();
    const doc = DynamoDBDocumentClient.from(client);
    await doc.send(new PutCommand({ TableName: table, Item: { pk: 'board#prod', target: 'prod', ...item } }));
    await expect(ledger.board('prod')).rejects.toThrow(
      /the incident board of target "prod" is not one this version can read/,
    );
  });

  it('a good one is read as written', async () => {
    const { ledger, table, client } = await freshDynamoLedger();
    const doc = DynamoDBDocumentClient.from(client);
    await doc.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'board#prod', target: 'prod', version: 3, incidents: { k1: good } },
      }),
    );
    expect(await ledger.board('prod')).toEqual({ target: 'prod', version: 3, incidents: { k1: good } });
  });
});

describe('ledger keys', () => {
  it('keep their parts apart even when a part contains the separator', () => {
    expect(keyString({ target: 'a#b', workspace: 'w', jobName: '作业#1', instanceId: '1' })).toBe(
      'a%23b#w#%E4%BD%9C%E4%B8%9A%231#1',
    );
    expect(keyString({ target: 't', workspace: 'w', jobName: 'x\ud800y', instanceId: '1' })).toBe(
      't#w#x%uD800y#1',
    );
    expect(keyString({ target: 't', workspace: 'w', jobName: 'x\ud800y', instanceId: '1' })).not.toBe(
      keyString({ target: 't', workspace: 'w', jobName: 'x\ufffdy', instanceId: '1' }),
    );
    expect(keyString({ target: 'a', workspace: 'b#w', jobName: 'j', instanceId: '1' })).not.toBe(
      keyString({ target: 'a#b', workspace: 'w', jobName: 'j', instanceId: '1' }),
    );
  });
});
