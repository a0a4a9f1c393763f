import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { LedgerError } from '../errors';
import {
  type AttemptRecord,
  type ClaimRequest,
  hourBucket,
  type InstanceKey,
  keyString,
  type Ledger,
  type LedgerEntry,
} from './ledger';

const BATCH = 100;
/** Hourly counters only matter for an hour; keep them a day for inspection. */
const HOURLY_TTL_S = 86_400;

/**
 * The ledger in one DynamoDB table with a string partition key `pk`:
 * `inst#<target>#<workspace>#<job>#<instance>` for instances and
 * `rate#<target>#<hour>` for hourly counters. Only item-level actions are used
 * (GetItem via BatchGetItem, UpdateItem), so IAM can be scoped to the table.
 */
export class DynamoDbLedger implements Ledger {
  readonly stats = { retries: 0 };
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    const out = new Map<string, LedgerEntry>();
    const unique = [...new Map(keys.map((k) => [keyString(k), k])).values()];
    for (let i = 0; i < unique.length; i += BATCH) {
      let request:
        | Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }>
        | undefined = {
        [this.table]: {
          Keys: unique.slice(i, i + BATCH).map((k) => ({ pk: instancePk(k) })),
          ConsistentRead: true,
        },
      };
      for (let round = 0; request && Object.keys(request).length > 0; round++) {
        if (round > 8) throw new LedgerError('DynamoDB kept returning unprocessed keys');
        if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
        const answer = await this.call(() => this.doc.send(new BatchGetCommand({ RequestItems: request! })));
        for (const item of answer.Responses?.[this.table] ?? []) {
          const entry = toEntry(item);
          out.set(keyString(entry), entry);
        }
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    return out;
  }

  async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    // A token only this claim writes: if the SDK retried a write that had in fact
    // succeeded (a throttled or lost answer), the retry fails the condition, and
    // reading the token back tells that the claim is ours after all.
    const claimId = randomUUID();
    const guard =
      'attempts = :expected AND attempts < :max AND (attribute_not_exists(notBefore) OR notBefore <= :now)';
    const claimed = await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET attempts = :next, lastAttemptAt = :now, notBefore = :notBefore, lastOutcome = :claimed, claimId = :claimId, ' +
        'outcomes = if_not_exists(outcomes, :empty), expiresAt = :expires, target = :target, ' +
        'workspace = :workspace, jobName = :job, instanceId = :id',
      ConditionExpression: request.expectedAttempts === 0 ? `attribute_not_exists(pk) OR (${guard})` : guard,
      ExpressionAttributeValues: {
        ':next': request.expectedAttempts + 1,
        ':expected': request.expectedAttempts,
        ':max': request.maxAttempts,
        ':now': request.now,
        ':notBefore': request.notBefore,
        ':claimed': 'claimed',
        ':claimId': claimId,
        ':empty': {},
        ':expires': Math.ceil(request.expiresAt / 1000),
        ':target': key.target,
        ':workspace': key.workspace,
        ':job': key.jobName,
        ':id': key.instanceId,
      },
    });
    if (claimed) return request.expectedAttempts < request.maxAttempts;
    return (await this.get(instancePk(key)))?.claimId === claimId;
  }

  async record(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<void> {
    const recorded = await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: 'SET lastOutcome = :outcome, outcomes.#attempt = :record',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: { ':outcome': outcome.outcome, ':record': outcome },
    });
    if (!recorded) throw new LedgerError(`no ledger entry for ${keyString(key)}`);
  }

  recordIfClaimed(key: InstanceKey, attempt: number, outcome: AttemptRecord): Promise<boolean> {
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: 'SET lastOutcome = :outcome, outcomes.#attempt = :record',
      ConditionExpression: 'attempts = :attempt AND lastOutcome = :claimed',
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ':outcome': outcome.outcome,
        ':record': outcome,
        ':attempt': attempt,
        ':claimed': 'claimed',
      },
    });
  }

  async release(key: InstanceKey, attempt: number, now: number): Promise<void> {
    // A failed condition means someone moved the entry on: the attempt stays counted, the safe side.
    await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET attempts = :previous, lastOutcome = :released, notBefore = :now, outcomes.#attempt = :record',
      ConditionExpression: 'attempts = :attempt',
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ':previous': attempt - 1,
        ':attempt': attempt,
        ':released': 'released',
        ':now': now,
        ':record': { at: now, outcome: 'released' },
      },
    });
  }

  markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: 'SET exhaustedReportedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(exhaustedReportedAt)',
      ExpressionAttributeValues: { ':now': now },
    });
  }

  async hourlyCount(target: string, now: number): Promise<number> {
    const item = await this.get(ratePk(target, now));
    return typeof item?.restarts === 'number' ? item.restarts : 0;
  }

  async reserveHourly(target: string, now: number, cap: number, wanted: number): Promise<number> {
    let asking = Math.min(wanted, cap);
    // Optimistic: ask for all; on a conflict, read what is left and ask for that.
    for (let round = 0; asking > 0 && round < 5; round++) {
      const reserved = await this.update({
        Key: { pk: ratePk(target, now) },
        UpdateExpression: 'ADD restarts :n SET expiresAt = :expires',
        ConditionExpression: 'attribute_not_exists(restarts) OR restarts <= :limit',
        ExpressionAttributeValues: {
          ':n': asking,
          ':limit': cap - asking,
          ':expires': Math.ceil(now / 1000) + HOURLY_TTL_S,
        },
      });
      if (reserved) return asking;
      asking = Math.min(asking, cap - (await this.hourlyCount(target, now)));
    }
    return 0;
  }

  async releaseHourly(target: string, now: number, count: number): Promise<void> {
    if (count <= 0) return;
    await this.update({
      Key: { pk: ratePk(target, now) },
      UpdateExpression: 'ADD restarts :minus',
      ConditionExpression: 'restarts >= :count',
      ExpressionAttributeValues: { ':minus': -count, ':count': count },
    });
  }

  /** An UpdateItem whose failed condition is an answer (false), not an error. */
  private async update(input: Omit<UpdateCommandInput, 'TableName'>): Promise<boolean> {
    try {
      await this.call(() => this.doc.send(new UpdateCommand({ TableName: this.table, ...input })));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** One item, read consistently. */
  private async get(pk: string): Promise<Record<string, unknown> | undefined> {
    const answer = await this.call(() =>
      this.doc.send(
        new BatchGetCommand({ RequestItems: { [this.table]: { Keys: [{ pk }], ConsistentRead: true } } }),
      ),
    );
    return answer.Responses?.[this.table]?.[0];
  }

  /** Keeps ConditionalCheckFailed as is (it is an answer); wraps every other failure. */
  private async call<T>(send: () => Promise<T>): Promise<T> {
    try {
      const answer = await send();
      this.stats.retries += Math.max(
        0,
        ((answer as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1,
      );
      return answer;
    } catch (error) {
      this.stats.retries += Math.max(
        0,
        ((error as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) - 1,
      );
      if (error instanceof ConditionalCheckFailedException || error instanceof LedgerError) throw error;
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new LedgerError(`DynamoDB ledger ${this.table}: ${detail}`, { cause: error });
    }
  }
}

function instancePk(key: InstanceKey): string {
  return `inst#${keyString(key)}`;
}

function ratePk(target: string, now: number): string {
  return `rate#${encodeURIComponent(target)}#${hourBucket(now)}`;
}

function toEntry(item: Record<string, unknown>): LedgerEntry {
  const entry: LedgerEntry = {
    target: String(item.target),
    workspace: String(item.workspace),
    jobName: String(item.jobName),
    instanceId: String(item.instanceId),
    attempts: Number(item.attempts ?? 0),
    outcomes: (item.outcomes as LedgerEntry['outcomes']) ?? {},
    expiresAt: Number(item.expiresAt ?? 0),
  };
  if (typeof item.lastAttemptAt === 'number') entry.lastAttemptAt = item.lastAttemptAt;
  if (typeof item.notBefore === 'number') entry.notBefore = item.notBefore;
  if (typeof item.lastOutcome === 'string')
    entry.lastOutcome = item.lastOutcome as LedgerEntry['lastOutcome'] & string;
  if (typeof item.exhaustedReportedAt === 'number') entry.exhaustedReportedAt = item.exhaustedReportedAt;
  return entry;
}
