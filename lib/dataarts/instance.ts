import { MalformedResponseError, type RequestContext } from '../errors';
import { segmentProblem } from './api-path';

/** Statuses the restart API accepts. */
export const RESTARTABLE_STATUSES: ReadonlySet<string> = new Set(['success', 'fail', 'manual-stop']);

/** Failure statuses DataArts will not rerun through the API. */
export const FAILED_NOT_RESTARTABLE: ReadonlySet<string> = new Set(['running-exception']);

/** Statuses that mean the instance is fine or still busy (not a failure). */
export const NOT_FAILED_STATUSES: ReadonlySet<string> = new Set([
  'waiting',
  'running',
  'success',
  'pause',
  'skip-by-depend',
  'freeze',
  'waiting-confirm',
  // The newest SDK models list an operator's verdicts as statuses too.
  'forceSuccess',
  'ignoreSuccess',
]);

/**
 * Every status the docs and SDK models name, exactly as written: any other value
 * (`FAIL`, `fail ` with a space) is unknown, never retried, and counted in the report.
 */
export const KNOWN_STATUSES: ReadonlySet<string> = new Set([
  ...RESTARTABLE_STATUSES,
  ...FAILED_NOT_RESTARTABLE,
  ...NOT_FAILED_STATUSES,
]);

/** instanceType 2: manually scheduled; DataArts refuses to rerun those. */
export const MANUAL_INSTANCE_TYPE = 2;

/**
 * One job instance. Only `jobName`, `instanceId` and `status` are required; ids are
 * kept as decimal strings because they are Longs and may exceed 2^53.
 */
export interface Instance {
  jobName: string;
  instanceId: string;
  status: string;
  jobId?: string;
  jobInstanceName?: string;
  planTime?: number;
  startTime?: number;
  endTime?: number;
  submitTime?: number;
  executeTime?: number;
  instanceType?: number;
  forceSuccess?: boolean;
  ignoreSuccess?: boolean;
  version?: number;
  errorMessage?: string;
}

/**
 * What tells one listed instance from another: its job and its id. Huawei's docs do not
 * promise ids unique across jobs (the ledger keys by both too), so two jobs' instances
 * sharing an id are two instances, never one dropped as the other's duplicate. The id
 * is digits only, so the first `:` ends it.
 */
export function instanceIdentity(instance: Pick<Instance, 'jobName' | 'instanceId'>): string {
  return `${instance.instanceId}:${instance.jobName}`;
}

export interface InstanceNode {
  nodeName: string;
  status: string;
  type?: string;
  retryTimes?: number;
  startTime?: number;
  endTime?: number;
  logPath?: string;
  /** The DLI queue the node ran on. */
  queue?: string;
  /** The node's own instance id (not the job instance's). */
  instanceId?: string;
}

export interface InstanceDetail extends Instance {
  nodes: InstanceNode[];
}

export interface InstancePage {
  total: number;
  instances: Instance[];
  /** Elements of the answer that could not be read as instances (kept for the report). */
  invalid: Array<{ index: number; problem: string }>;
}

/**
 * JSON.parse, but integers too big for a double in `instanceId`/`jobId` keep every
 * digit (as strings): a rounded id would restart the wrong instance.
 */
export function parseJsonKeepingIds(text: string): unknown {
  return JSON.parse(text.replace(/("(?:instanceId|jobId)"\s*:\s*)(-?\d+)(?=\s*[,}\]])/g, '$1"$2"'));
}

type Row = Record<string, unknown>;

function isRow(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const optionalNumber = (row: Row, key: string): number | undefined => {
  const value = row[key];
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
};
const optionalString = (row: Row, key: string): string | undefined =>
  typeof row[key] === 'string' ? (row[key] as string) : undefined;

/**
 * Fields that can forbid a restart (an operator's force/ignore success, a manual
 * instance) fail closed: absent is fine, but present with the wrong type (`"true"`,
 * `1`, `null`) makes the whole instance malformed rather than quietly restartable.
 */
const SAFETY_FIELDS: ReadonlyArray<[key: 'forceSuccess' | 'ignoreSuccess' | 'instanceType', type: string]> = [
  ['forceSuccess', 'boolean'],
  ['ignoreSuccess', 'boolean'],
  ['instanceType', 'whole number'],
];

function safetyProblem(row: Row): string | undefined {
  for (const [key, type] of SAFETY_FIELDS) {
    if (!(key in row) || row[key] === undefined) continue;
    const value = row[key];
    const ok = type === 'boolean' ? typeof value === 'boolean' : Number.isInteger(value);
    if (!ok) return `${key} is not a ${type}`;
  }
  return undefined;
}

function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{1,25}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/**
 * Reads one instance, or says why it cannot be used. A missing optional field stays
 * unknown (never a default that could read as evidence); a mistyped informational
 * field is dropped; a mistyped safety field or an unsafe job name is fatal.
 */
export function readInstance(value: unknown): Instance | string {
  if (!isRow(value)) return 'not an object';
  const jobName = value.jobName;
  const instanceId = idString(value.instanceId);
  const status = value.status;
  if (typeof jobName !== 'string' || jobName === '') return 'jobName missing or not a string';
  const nameProblem = segmentProblem(jobName);
  // It goes into the restart path: a name that is not one safe segment is never used.
  if (nameProblem) return `jobName ${nameProblem}`;
  if (instanceId === undefined) return 'instanceId missing or not a whole number';
  if (typeof status !== 'string' || status === '') return 'status missing or not a string';
  const unsafe = safetyProblem(value);
  if (unsafe) return unsafe;
  const instance: Instance = { jobName, instanceId, status };
  const jobId = value.jobId === undefined ? undefined : String(value.jobId);
  const fields: Record<string, unknown> = {
    jobId,
    jobInstanceName: optionalString(value, 'jobInstanceName'),
    planTime: optionalNumber(value, 'planTime'),
    startTime: optionalNumber(value, 'startTime'),
    endTime: optionalNumber(value, 'endTime'),
    submitTime: optionalNumber(value, 'submitTime'),
    executeTime: optionalNumber(value, 'executeTime'),
    instanceType: value.instanceType,
    forceSuccess: value.forceSuccess,
    ignoreSuccess: value.ignoreSuccess,
    version: optionalNumber(value, 'version'),
    errorMessage: optionalString(value, 'errorMessage'),
  };
  for (const [key, field] of Object.entries(fields)) {
    if (field !== undefined) (instance as unknown as Row)[key] = field;
  }
  return instance;
}

/** An answer that came back 200 but is not what the API documents: `problem` says how. */
function malformed(context: RequestContext, problem: string, cause?: unknown): MalformedResponseError {
  return new MalformedResponseError({
    message: `${context.method} ${context.path}: ${problem}`,
    code: 'MALFORMED_RESPONSE',
    request: context,
    status: 200,
    cause,
  });
}

function parseBody(text: string, context: RequestContext): unknown {
  try {
    return parseJsonKeepingIds(text);
  } catch (error) {
    throw malformed(context, 'answer is not JSON', error);
  }
}

/** Validates a list answer `{total, instances[]}`. */
export function readInstancePage(text: string, context: RequestContext): InstancePage {
  const body = parseBody(text, context);
  const fail = (problem: string) => malformed(context, problem);
  if (!isRow(body)) throw fail('answer is not an object');
  const total = body.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0)
    throw fail('total is not a whole number');
  // `{"total": 5}` alone is not an empty page: the instances it counts are missing.
  if (body.instances === undefined && total > 0) throw fail(`instances missing while total is ${total}`);
  const rows = body.instances ?? [];
  if (!Array.isArray(rows)) throw fail('instances is not an array');
  const page: InstancePage = { total, instances: [], invalid: [] };
  rows.forEach((row, index) => {
    const read = readInstance(row);
    if (typeof read === 'string') page.invalid.push({ index, problem: read });
    else page.instances.push(read);
  });
  return page;
}

/**
 * Validates a show answer, shaped as the SDK's `ShowJobInstanceResponse`: the
 * instance's `instanceId`, status and times, `instanceType`, `forceSuccess`,
 * `ignoreSuccess` and `nodes[]` (no `jobId`). Every field is optional, and the identity
 * is the one asked for: an answer naming another job or instance is malformed, and so
 * is a mistyped safety field, as in a list answer. `endTime` is optional and was seen
 * missing on finished instances: it stays unknown, never "not ended" or "changed".
 */
export function readInstanceDetail(
  text: string,
  context: RequestContext,
  asked: { jobName: string; instanceId: string },
): InstanceDetail {
  const body = parseBody(text, context);
  const fail = (problem: string) => malformed(context, problem);
  if (!isRow(body)) throw fail('answer is not an object');
  if (body.jobName !== undefined && body.jobName !== asked.jobName) throw fail('answer names another job');
  if (body.instanceId !== undefined && idString(body.instanceId) !== asked.instanceId)
    throw fail('answer names another instance');
  const instance = readInstance({ ...body, jobName: asked.jobName, instanceId: asked.instanceId });
  if (typeof instance === 'string') throw fail(instance);
  const rawNodes = Array.isArray(body.nodes) ? body.nodes : [];
  const nodes = rawNodes.map(readNode).filter((node): node is InstanceNode => node !== undefined);
  return { ...instance, nodes };
}

function readNode(raw: unknown): InstanceNode | undefined {
  if (!isRow(raw) || typeof raw.nodeName !== 'string' || typeof raw.status !== 'string') return undefined;
  const node: InstanceNode = { nodeName: raw.nodeName, status: raw.status };
  const fields: Record<string, unknown> = {
    retryTimes: optionalNumber(raw, 'retryTimes'),
    type: optionalString(raw, 'type'),
    startTime: optionalNumber(raw, 'startTime'),
    endTime: optionalNumber(raw, 'endTime'),
    logPath: optionalString(raw, 'logPath'),
    queue: optionalString(raw, 'queue'),
    instanceId: idString(raw.instanceId),
  };
  for (const [key, field] of Object.entries(fields)) {
    if (field !== undefined) (node as unknown as Row)[key] = field;
  }
  return node;
}
