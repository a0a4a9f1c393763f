import { randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { EMPTY_NOTICES, type NoticeState } from './notices';

/**
 * Where de-duplication remembers what it announced: one small item per deployment,
 * beside the ledger but not in it. The ledger's methods carry the restart protocol;
 * this state is advisory (losing it repeats an announcement, nothing worse), so it
 * gets its own tiny store instead of new methods on every ledger.
 */
export interface NoticeStore {
  read(): Promise<NoticeState>;
  write(state: NoticeState): Promise<void>;
}

export class MemoryNoticeStore implements NoticeStore {
  private state: NoticeState = EMPTY_NOTICES;

  async read(): Promise<NoticeState> {
    return structuredClone(this.state);
  }

  async write(state: NoticeState): Promise<void> {
    this.state = structuredClone(state);
  }
}

/** A JSON file next to the file ledger (`<ledger>.notices.json`), replaced atomically. */
export class FileNoticeStore implements NoticeStore {
  constructor(private readonly path: string) {}

  async read(): Promise<NoticeState> {
    const text = await readFile(this.path, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    return text === undefined ? EMPTY_NOTICES : validState(JSON.parse(text));
  }

  async write(state: NoticeState): Promise<void> {
    const temporary = `${this.path}.${randomUUID().slice(0, 8)}.tmp`;
    await writeFile(temporary, JSON.stringify(state), 'utf8');
    await rename(temporary, this.path);
  }
}

/**
 * One item (`pk` = `notices`) in the ledger's table, read and written with the
 * actions the function's role already has (BatchGetItem, UpdateItem). It has no
 * `leaseTarget`, so the ledger's sparse index never sees it.
 */
export class DynamoNoticeStore implements NoticeStore {
  static readonly PK = 'notices';
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async read(): Promise<NoticeState> {
    const answer = await this.doc.send(
      new BatchGetCommand({
        RequestItems: { [this.table]: { Keys: [{ pk: DynamoNoticeStore.PK }], ConsistentRead: true } },
      }),
    );
    const item = answer.Responses?.[this.table]?.[0];
    return item ? validState(JSON.parse(String(item.state))) : EMPTY_NOTICES;
  }

  async write(state: NoticeState): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.table,
        Key: { pk: DynamoNoticeStore.PK },
        UpdateExpression: 'SET #state = :state',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':state': JSON.stringify(state) },
      }),
    );
  }
}

/** A state written by another version, or damaged, counts as empty: announcements repeat once. */
function validState(value: unknown): NoticeState {
  const problems = (value as NoticeState | null)?.problems;
  return problems && typeof problems === 'object' ? { problems } : EMPTY_NOTICES;
}

/** The notice store of a ledger configuration. */
export function noticeStoreFor(
  ledger: { type: 'file'; path: string } | { type: 'dynamodb'; table: string },
  dynamo?: DynamoDBClient,
): NoticeStore | undefined {
  if (ledger.type === 'file') return new FileNoticeStore(`${ledger.path}.notices.json`);
  return dynamo ? new DynamoNoticeStore(dynamo, ledger.table) : undefined;
}
