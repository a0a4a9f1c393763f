import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { LedgerError } from '../errors';
import { mapBounded } from '../util/concurrency';
import {
  type ClaimRequest,
  hourBucket,
  INTERRUPTED,
  type InstanceKey,
  keyString,
  type Ledger,
  type LedgerEntry,
  namesFailure,
  type Settlement,
} from './ledger';
import type {
  EntrySelector,
  HistoryEntry,
  LedgerHistory,
  ResetRecord,
  ResetRequest,
  ResetResult,
} from './ledger-history';
import { checkedBoard, emptyBoard, type IncidentBoard, type LedgerIncidents } from './ledger-incidents';
import { awaitingKey, type JobRecovery, type LedgerRecovery, type RecoveryVerdict } from './ledger-recovery';
import { resetEntry, resetRefusal, upgradeLegacy } from './ledger-state';

const BATCH = 100;

type Item = Record<string, unknown>;
type StartKey = Record<string, unknown>;
/** What a Query or Scan answers, as far as paging through it goes. */
type Page = { Items?: Item[] | undefined; LastEvaluatedKey?: StartKey | undefined };

/**
 * BatchGetItem calls in flight at once. Each reads at most 100 strongly consistent
 * items (~50 read units at 1 KB); 8 stay far below an on-demand table's per-partition
 * 3,000 RCU/s and the SDK's 50 sockets, and throttling is retried per batch.
 */
const READ_CONCURRENCY = 8;
/** Sparse index on `leaseTarget`, set only while an attempt is in flight. */
export const LEASE_INDEX = 'leases';
/**
 * Sparse index on `attemptTarget` (set by every claim, removed by a reset) sorted by
 * `lastAttemptAt`, projecting the key parts only: `Ledger.attemptedKeys`.
 */
export const ATTEMPTS_INDEX = 'attempts';
/** Hourly counters only matter for an hour; keep them a day for inspection. */
const HOURLY_TTL_S = 86_400;

/**
 * The ledger in one DynamoDB table with a string partition key `pk`:
 * `inst#<target>#<workspace>#<job>#<instance>` for instances and
 * `rate#<target>#<hour>` for hourly counters. Only item-level actions are used
 * (GetItem via BatchGetItem, UpdateItem) plus a Query of the sparse `leases`
 * index, so IAM can be scoped to the table and that index.
 */
/**
 * The condition of every owner-only write: the entry is still at this attempt and this
 * claim. Flat `AND`s only: dynalite's parser slows down badly on nested parentheses.
 */
const OWNER = 'attempts = :attempt AND claimId = :claimId';

function ownerValues(attempt: number, claimId: string): Record<string, unknown> {
  return { ':attempt': attempt, ':claimId': claimId, ':inflight': 'in-flight' };
}

export class DynamoDbLedger implements Ledger, LedgerHistory, LedgerRecovery, LedgerIncidents {
  readonly stats = { retries: 0 };
  /** Its recovery and operator methods are its own: these name them narrowly. */
  readonly recovery: LedgerRecovery = this;
  readonly operator: LedgerHistory = this;
  readonly incidents: LedgerIncidents = this;
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly table: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /**
   * Batches of 100 keys, `READ_CONCURRENCY` at a time: one after another, 100,000
   * listed instances took 1,000 sequential round trips. Unprocessed keys (throttling)
   * are retried per batch with backoff.
   */
  async read(keys: readonly InstanceKey[]): Promise<Map<string, LedgerEntry>> {
    const out = new Map<string, LedgerEntry>();
    const unique = [...new Map(keys.map((k) => [keyString(k), k])).values()];
    const batches = Array.from({ length: Math.ceil(unique.length / BATCH) }, (_, i) =>
      unique.slice(i * BATCH, (i + 1) * BATCH),
    );
    await mapBounded(batches, READ_CONCURRENCY, (batch) => this.readBatch(batch, out));
    return out;
  }

  private async readBatch(batch: readonly InstanceKey[], out: Map<string, LedgerEntry>): Promise<void> {
    let request:
      | Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }>
      | undefined = {
      [this.table]: { Keys: batch.map((k) => ({ pk: instancePk(k) })), ConsistentRead: true },
    };
    for (let round = 0; request && Object.keys(request).length > 0; round++) {
      if (round > 8) throw new LedgerError({ message: 'DynamoDB kept returning unprocessed keys' });
      if (round > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** round));
      const answer = await this.call(() => this.doc.send(new BatchGetCommand({ RequestItems: request! })));
      for (const item of answer.Responses?.[this.table] ?? []) {
        const entry = toEntry(item);
        out.set(keyString(entry), entry);
      }
      request = answer.UnprocessedKeys as typeof request;
    }
  }

  /**
   * The rules of `mayClaim` (ledger-state.ts) as two flat conditions: a newer
   * failure, or (rarely) the same failure after an unknown outcome whose lease had
   * ended. Kept flat because DynamoDB Local's expression parser slows down steeply
   * with nesting. `claimId` also tells a retried write whose answer was lost as ours.
   */
  async claim(key: InstanceKey, request: ClaimRequest): Promise<boolean> {
    // Stryker disable next-line ConditionalExpression: equivalent, `attempts < :max` refuses the same; this only saves the write.
    if (request.expectedAttempts >= request.maxAttempts) return false;
    // Not a condition: `attribute_not_exists(pk)` would grant a first claim whatever it names.
    if (!namesFailure(request.failureAt)) return false;
    const common = 'attempts = :expected AND attempts < :max AND NOT notBefore > :now';
    const newer = `${common} AND NOT failureAt >= :failureAt`;
    if (
      await this.claimIf(
        key,
        request,
        request.expectedAttempts === 0 ? `attribute_not_exists(pk) OR (${newer})` : newer,
      )
    )
      return true;
    const item = await this.get(instancePk(key));
    if (item?.claimId === request.claimId) return true;
    const lease = typeof item?.leaseUntil === 'number' ? item.leaseUntil : 0;
    // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, the `same` condition below checks each of these again; this only saves the write.
    if (!item || item.failureAt !== request.failureAt || lease > request.observedAt) return false;
    const same = `${common} AND failureAt = :failureAt AND lastOutcome IN (:inflight, :unconfirmed, :legacy) AND NOT leaseUntil > :observedAt`;
    if (await this.claimIf(key, request, same)) return true;
    return (await this.get(instancePk(key)))?.claimId === request.claimId;
  }

  private claimIf(key: InstanceKey, request: ClaimRequest, condition: string): Promise<boolean> {
    const values: Record<string, unknown> = {
      ':next': request.expectedAttempts + 1,
      ':expected': request.expectedAttempts,
      ':max': request.maxAttempts,
      ':now': request.now,
      ':notBefore': request.notBefore,
      ':inflight': 'in-flight',
      ':claimId': request.claimId,
      ':lease': request.leaseUntil,
      ':failureAt': request.failureAt,
      ':zero': 0,
      ':empty': {},
      ':expires': Math.ceil(request.expiresAt / 1000),
      ':target': key.target,
      ':workspace': key.workspace,
      ':job': key.jobName,
      ':id': key.instanceId,
    };
    // The answered failure's fields: set when the answer had them, else removed (never a stale one).
    const fields: Array<['failureStart' | 'failureEnd', number | undefined]> = [
      ['failureStart', request.failureStart],
      ['failureEnd', request.failureEnd],
    ];
    const set = fields.filter(([, value]) => value !== undefined).map(([name]) => name);
    // A claim means budget was left: an exhausted report made under a lower maxAttempts no longer holds.
    const removed = [
      'exhaustedReportedAt',
      ...fields.filter(([, value]) => value === undefined).map(([n]) => n),
    ];

    // Stryker disable next-line ConditionalExpression: equivalent, the client's removeUndefinedValues drops an undefined value, and no expression names it (it is in `removed`).
    for (const [name, value] of fields) if (value !== undefined) values[`:${name}`] = value;
    if (condition.includes(':observedAt')) {
      Object.assign(values, {
        ':observedAt': request.observedAt,
        ':unconfirmed': 'unconfirmed',
        ':legacy': 'claimed',
      });
    }
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET attempts = :next, lastAttemptAt = :now, notBefore = :notBefore, lastOutcome = :inflight, ' +
        'claimId = :claimId, leaseUntil = :lease, leaseTarget = :target, attemptTarget = :target, ' +
        'previousFailureAt = if_not_exists(failureAt, :zero), failureAt = :failureAt, ' +
        'outcomes = if_not_exists(outcomes, :empty), expiresAt = :expires, target = :target, ' +
        'workspace = :workspace, jobName = :job, instanceId = :id' +
        set.map((name) => `, ${name} = :${name}`).join('') +
        ` REMOVE ${removed.join(', ')}`,
      ConditionExpression: condition,
      ExpressionAttributeValues: values,
    });
  }

  async settle(key: InstanceKey, settlement: Settlement): Promise<boolean> {
    const { attempt, claimId, ...record } = settlement;
    // A rerun that started awaits a later sweep's verdict: it moves to its own partition
    // of the sparse index (never a target's name), so `inFlight` does not read it.
    const awaiting = record.outcome === 'restarted';
    const settled = await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: awaiting
        ? 'SET lastOutcome = :outcome, outcomes.#attempt = :record, leaseTarget = :awaiting'
        : 'SET lastOutcome = :outcome, outcomes.#attempt = :record REMOVE leaseTarget',
      ConditionExpression: `${OWNER} AND lastOutcome IN (:inflight, :unconfirmed)`,
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ...ownerValues(attempt, claimId),
        ':outcome': record.outcome,
        ':record': record,
        ':unconfirmed': 'unconfirmed',
        ...(awaiting ? { ':awaiting': awaitingKey(key.target) } : {}),
      },
    });
    // Stryker disable next-line ConditionalExpression: equivalent, the read below finds the record just written and answers true.
    if (settled) return true;
    // A retried write whose first answer was lost fails its own condition: look.
    const item = await this.get(instancePk(key));
    const written = (item?.outcomes as LedgerEntry['outcomes'] | undefined)?.[String(attempt)];
    return item?.claimId === claimId && written?.outcome === record.outcome && written.at === record.at;
  }

  async release(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    // A failed condition means the attempt is no longer this owner's: it stays counted, the safe side.
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET attempts = :previous, lastOutcome = :released, notBefore = :now, ' +
        'failureAt = if_not_exists(previousFailureAt, :zero), outcomes.#attempt = :record ' +
        'REMOVE leaseTarget, failureStart, failureEnd',
      ConditionExpression: `${OWNER} AND lastOutcome = :inflight`,
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ...ownerValues(attempt, claimId),
        ':previous': attempt - 1,
        ':released': 'released',
        ':now': now,
        ':zero': 0,
        ':record': { at: now, outcome: 'released' },
      },
    });
  }

  markInterrupted(key: InstanceKey, attempt: number, claimId: string, now: number): Promise<boolean> {
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: 'SET lastOutcome = :unconfirmed, outcomes.#attempt = :record REMOVE leaseTarget',
      ConditionExpression: `${OWNER} AND lastOutcome = :inflight AND leaseUntil <= :now`,
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ...ownerValues(attempt, claimId),
        ':unconfirmed': 'unconfirmed',
        ':now': now,
        ':record': { at: now, outcome: 'unconfirmed', code: INTERRUPTED },
      },
    });
  }

  /**
   * In-flight attempts of a target, from the sparse `leases` index: only an entry
   * whose attempt is in flight carries `leaseTarget`, so this reads what is open,
   * not the table. (The index is eventually consistent; expired leases are old.)
   */
  inFlight(target: string): Promise<LedgerEntry[]> {
    return this.leases(target, 'in-flight');
  }

  /**
   * From the sparse `attempts` index (keys only). A table created before the index
   * existed answers that it has none: undefined, and the sweep reads every key.
   */
  async attemptedKeys(target: string, since: number): Promise<InstanceKey[] | undefined> {
    try {
      const items = await this.queryIndex(ATTEMPTS_INDEX, 'attemptTarget', target, since);
      return items.map((item) => ({
        target: String(item.target),
        workspace: String(item.workspace),
        jobName: String(item.jobName),
        instanceId: String(item.instanceId),
      }));
    } catch (error) {
      if (missingIndex(error)) return undefined;
      throw error;
    }
  }

  /** Every item of one partition of a sparse index (all pages). */
  private queryIndex(index: string, attribute: string, partition: string, since?: number) {
    const range = since === undefined ? '' : ' AND lastAttemptAt >= :since';
    return this.allPages((start) =>
      this.doc.send(
        new QueryCommand({
          TableName: this.table,
          IndexName: index,
          KeyConditionExpression: `#partition = :partition${range}`,
          ExpressionAttributeNames: { '#partition': attribute },
          ExpressionAttributeValues: {
            ':partition': partition,
            // Stryker disable next-line ConditionalExpression: equivalent, `removeUndefinedValues` drops a `:since` of undefined from the request.
            ...(since === undefined ? {} : { ':since': since }),
          },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
  }

  /** The entries of one partition of the sparse `leases` index whose last outcome is `outcome`. */
  private async leases(partition: string, outcome: 'in-flight' | 'restarted'): Promise<LedgerEntry[]> {
    const items = await this.queryIndex(LEASE_INDEX, 'leaseTarget', partition);
    // Attempts 0: reset, nothing awaited any more (an item reset before reset left the index).
    return items
      .map((item) => toEntry(item))
      .filter((entry) => entry.lastOutcome === outcome && entry.attempts > 0);
  }

  markExhausted(key: InstanceKey, now: number): Promise<boolean> {
    return this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression: 'SET exhaustedReportedAt = :now',
      ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(exhaustedReportedAt)',
      ExpressionAttributeValues: { ':now': now },
    });
  }

  /** Reruns awaiting a verdict, from their own partition of the sparse `leases` index. */
  awaitingVerdict(target: string): Promise<LedgerEntry[]> {
    return this.leases(awaitingKey(target), 'restarted');
  }

  /**
   * The verdict, once: only on the entry's last attempt, `restarted`, without one yet.
   * Then the job's counter (a separate item, kept for the retention): a crash between
   * the two writes loses one count, never records a verdict twice.
   */
  async markRecovery(
    key: InstanceKey,
    attempt: number,
    verdict: RecoveryVerdict,
    now: number,
    expiresAt: number,
  ): Promise<boolean> {
    const marked = await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET outcomes.#attempt.recovery = :verdict, outcomes.#attempt.judgedAt = :now REMOVE leaseTarget',
      ConditionExpression:
        'attempts = :attempt AND lastOutcome = :restarted AND outcomes.#attempt.outcome = :restarted AND attribute_not_exists(outcomes.#attempt.recovery)',
      ExpressionAttributeNames: { '#attempt': String(attempt) },
      ExpressionAttributeValues: {
        ':attempt': attempt,
        ':restarted': 'restarted',
        ':verdict': verdict,
        ':now': now,
      },
    });
    if (!marked) return false;
    await this.update({
      Key: { pk: jobPk(key.target, key.jobName) },
      UpdateExpression: `ADD ${verdict === 'recovered' ? 'recovered' : 'failedAgain'} :one SET expiresAt = :expires, jobName = :job`,
      ExpressionAttributeValues: { ':one': 1, ':expires': Math.ceil(expiresAt / 1000), ':job': key.jobName },
    });
    return true;
  }

  async jobRecovery(target: string, jobNames: readonly string[]): Promise<Map<string, JobRecovery>> {
    const out = new Map<string, JobRecovery>();
    const unique = [...new Set(jobNames)];
    for (let i = 0; i < unique.length; i += BATCH) {
      const keys = unique.slice(i, i + BATCH).map((job) => ({ pk: jobPk(target, job) }));
      const answer = await this.call(() =>
        this.doc.send(
          new BatchGetCommand({ RequestItems: { [this.table]: { Keys: keys, ConsistentRead: true } } }),
        ),
      );
      // Unprocessed keys only make the list shorter: it is advice, never a decision.
      for (const item of answer.Responses?.[this.table] ?? []) {
        out.set(String(item.jobName), {
          recovered: Number(item.recovered ?? 0),
          failedAgain: Number(item.failedAgain ?? 0),
        });
      }
    }
    return out;
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

  /**
   * Entries matching the selector. Instance keys have no sort key to query by prefix,
   * so this is a Scan (filtered): an operator's occasional read, which needs
   * `dynamodb:Scan`, a permission the Lambda's role does not have.
   */
  async history(selector: EntrySelector): Promise<HistoryEntry[]> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':inst': 'inst#' };
    const filters = ['begins_with(pk, :inst)'];
    for (const [field, value] of Object.entries(selector)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      values[`:${field}`] = value;
      filters.push(`#${field} = :${field}`);
    }
    const items = await this.allPages((start) =>
      this.doc.send(
        new ScanCommand({
          TableName: this.table,
          ConsistentRead: true,
          FilterExpression: filters.join(' AND '),
          ExpressionAttributeValues: values,
          ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      ),
    );
    return items.map((item) => toHistoryEntry(item));
  }

  /**
   * The rules of `resetRefusal` and `resetEntry` (ledger-state.ts) on the entry as read,
   * written only if nothing moved it since: same attempt, claim and outcome, no lease
   * running, not in flight.
   */
  async reset(key: InstanceKey, request: ResetRequest): Promise<ResetResult> {
    const item = await this.get(instancePk(key));
    const entry = item ? toHistoryEntry(item) : undefined;
    const refusal = resetRefusal(entry, request.now);
    if (refusal || !entry)
      return {
        status: 'refused',
        // Stryker disable next-line StringLiteral: equivalent, unreachable: resetRefusal already names a missing entry.
        reason: refusal ?? 'no ledger entry',
      };
    const next = resetEntry(entry, request);
    const written = await this.update({
      Key: { pk: instancePk(key) },
      UpdateExpression:
        'SET attempts = :zero, outcomes = :empty, notBefore = :now, failureAt = :failureAt, resets = :resets ' +
        // No verdict is awaited for a cleared attempt: out of the sparse index. A failure
        // restored to the previous one is named by its time alone (as after a release).
        `REMOVE exhaustedReportedAt, leaseTarget, attemptTarget${next.failureStart === undefined ? ', failureStart' : ''}${next.failureEnd === undefined ? ', failureEnd' : ''}`,
      ConditionExpression:
        'attempts = :attempts AND lastOutcome = :last AND lastOutcome <> :inflight' +
        (entry.lastOutcome === 'unconfirmed' ? ' AND NOT leaseUntil > :now' : '') +
        (entry.claimId === undefined ? '' : ' AND claimId = :claimId'),
      ExpressionAttributeValues: {
        ':zero': 0,
        ':empty': {},
        ':now': request.now,
        ':failureAt': next.failureAt ?? 0,
        ':resets': next.resets,
        ':attempts': entry.attempts,
        // Stryker disable next-line StringLiteral: equivalent, a missing lastOutcome fails `lastOutcome = :last` whatever :last is.
        ':last': entry.lastOutcome ?? '',
        // Stryker disable next-line StringLiteral: equivalent, resetRefusal refuses in-flight, so `lastOutcome = :last` already excludes it.
        ':inflight': 'in-flight',
        // Stryker disable next-line ConditionalExpression: equivalent, `removeUndefinedValues` drops a `:claimId` of undefined from the request.
        ...(entry.claimId === undefined ? {} : { ':claimId': entry.claimId }),
      },
    });
    if (written) return { status: 'reset', entry: next };
    return { status: 'refused', reason: 'the entry changed while resetting (a sweep is at work): try again' };
  }

  /** The target's board: one consistent read of `incidents#<target>`. */
  async board(target: string): Promise<IncidentBoard> {
    const item = await this.get(boardPk(target));
    if (!item) return emptyBoard(target);
    try {
      return checkedBoard({ version: item.version, incidents: item.incidents }, target);
    } catch (error) {
      throw new LedgerError({
        message: `DynamoDB ledger ${this.table}: ${(error as Error).message}`,
        cause: error,
      });
    }
  }

  /**
   * The whole board in one conditional UpdateItem: `mayWriteBoard` as a condition (no
   * item for a first board, else the version the board was read at).
   */
  writeBoard(board: IncidentBoard, expiresAt: number): Promise<boolean> {
    const first = board.version === 1;
    return this.update({
      Key: { pk: boardPk(board.target) },
      ConditionExpression: first ? 'attribute_not_exists(pk)' : 'version = :previous',
      UpdateExpression:
        'SET version = :version, incidents = :incidents, target = :target, expiresAt = :expires',
      ExpressionAttributeValues: {
        ':version': board.version,
        ':incidents': board.incidents,
        ':target': board.target,
        ':expires': Math.ceil(expiresAt / 1000),
        ...(first ? {} : { ':previous': board.version - 1 }),
      },
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

  /**
   * Every item of a Query or Scan: DynamoDB stops a page at 1 MB, so each page is
   * asked for from the key where the one before stopped, until none is left.
   */
  private async allPages(page: (start: StartKey | undefined) => Promise<Page>): Promise<Item[]> {
    const items: Item[] = [];
    let start: StartKey | undefined;
    do {
      const from = start;
      const answer = await this.call(() => page(from));
      items.push(...(answer.Items ?? []));
      start = answer.LastEvaluatedKey;
    } while (start);
    return items;
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
      throw new LedgerError({ message: `DynamoDB ledger ${this.table}: ${detail}`, cause: error });
    }
  }
}

function instancePk(key: InstanceKey): string {
  return `inst#${keyString(key)}`;
}

/** How a job's reruns fared: `job#<target>#<job>`, each part percent-encoded. */
function jobPk(target: string, jobName: string): string {
  return `job#${keyString({ target, workspace: '', jobName, instanceId: '' })}`;
}

/** A target's incident board: `board#<target>`, percent-encoded. */
function boardPk(target: string): string {
  return `board#${encodeURIComponent(target)}`;
}

function ratePk(target: string, now: number): string {
  return `rate#${encodeURIComponent(target)}#${hourBucket(now)}`;
}

/** DynamoDB's answer to a Query of an index the table does not have (a table older than the index). */
function missingIndex(error: unknown): boolean {
  const text =
    error instanceof Error
      ? `${error.name} ${error.message} ${String(
          // Stryker disable next-line StringLiteral: equivalent, any text without "ValidationException" for no cause answers the same.
          (error as { cause?: unknown }).cause ?? '',
        )}`
      : // Stryker disable next-line StringLiteral: equivalent, unreachable: call() wraps every failure in an Error.
        '';
  return /ValidationException/.test(text) && /index/i.test(text);
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
  if (typeof item.claimId === 'string') entry.claimId = item.claimId;
  if (typeof item.leaseUntil === 'number') entry.leaseUntil = item.leaseUntil;
  if (typeof item.failureAt === 'number') entry.failureAt = item.failureAt;
  if (typeof item.failureStart === 'number') entry.failureStart = item.failureStart;
  if (typeof item.failureEnd === 'number') entry.failureEnd = item.failureEnd;
  if (typeof item.previousFailureAt === 'number') entry.previousFailureAt = item.previousFailureAt;
  return upgradeLegacy(entry);
}

function toHistoryEntry(item: Record<string, unknown>): HistoryEntry {
  const entry: HistoryEntry = toEntry(item);
  if (Array.isArray(item.resets)) entry.resets = item.resets as ResetRecord[];
  return entry;
}
