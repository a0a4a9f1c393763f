import { MalformedResponseError, type RequestContext } from '../errors';

/** Statuses the restart API accepts. */
export const RESTARTABLE_STATUSES: ReadonlySet<string> = new Set(['success', 'fail', 'manual-stop']);

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

export interface InstanceNode {
  nodeName: string;
  status: string;
  type?: string;
  retryTimes?: number;
  startTime?: number;
  endTime?: number;
  logPath?: string;
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
const optionalBoolean = (row: Row, key: string): boolean | undefined =>
  typeof row[key] === 'boolean' ? (row[key] as boolean) : undefined;

function idString(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d{1,25}$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  return undefined;
}

/** Reads one instance; a missing or mistyped optional field is dropped, not fatal. */
export function readInstance(value: unknown): Instance | string {
  if (!isRow(value)) return 'not an object';
  const jobName = value.jobName;
  const instanceId = idString(value.instanceId);
  const status = value.status;
  if (typeof jobName !== 'string' || jobName === '') return 'jobName missing or not a string';
  if (instanceId === undefined) return 'instanceId missing or not a whole number';
  if (typeof status !== 'string' || status === '') return 'status missing or not a string';
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
    instanceType: optionalNumber(value, 'instanceType'),
    forceSuccess: optionalBoolean(value, 'forceSuccess'),
    ignoreSuccess: optionalBoolean(value, 'ignoreSuccess'),
    version: optionalNumber(value, 'version'),
    errorMessage: optionalString(value, 'errorMessage'),
  };
  for (const [key, field] of Object.entries(fields)) {
    if (field !== undefined) (instance as unknown as Row)[key] = field;
  }
  return instance;
}

function parseBody(text: string, context: RequestContext): unknown {
  try {
    return parseJsonKeepingIds(text);
  } catch (error) {
    throw new MalformedResponseError({
      message: `${context.method} ${context.path}: answer is not JSON`,
      code: 'MALFORMED_RESPONSE',
      request: context,
      status: 200,
      cause: error,
    });
  }
}

/** Validates a list answer `{total, instances[]}`. */
export function readInstancePage(text: string, context: RequestContext): InstancePage {
  const body = parseBody(text, context);
  const fail = (problem: string) =>
    new MalformedResponseError({
      message: `${context.method} ${context.path}: ${problem}`,
      code: 'MALFORMED_RESPONSE',
      request: context,
      status: 200,
    });
  if (!isRow(body)) throw fail('answer is not an object');
  const total = body.total;
  if (typeof total !== 'number' || !Number.isInteger(total) || total < 0)
    throw fail('total is not a whole number');
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

/** Validates a show answer: the instance plus `nodes[]`. */
export function readInstanceDetail(text: string, context: RequestContext): InstanceDetail {
  const body = parseBody(text, context);
  const instance = readInstance(body);
  if (typeof instance === 'string') {
    throw new MalformedResponseError({
      message: `${context.method} ${context.path}: ${instance}`,
      code: 'MALFORMED_RESPONSE',
      request: context,
      status: 200,
    });
  }
  const rawNodes = isRow(body) && Array.isArray(body.nodes) ? body.nodes : [];
  const nodes: InstanceNode[] = [];
  for (const raw of rawNodes) {
    if (!isRow(raw) || typeof raw.nodeName !== 'string' || typeof raw.status !== 'string') continue;
    const node: InstanceNode = { nodeName: raw.nodeName, status: raw.status };
    const retryTimes = optionalNumber(raw, 'retryTimes');
    if (retryTimes !== undefined) node.retryTimes = retryTimes;
    const type = optionalString(raw, 'type');
    if (type !== undefined) node.type = type;
    const startTime = optionalNumber(raw, 'startTime');
    if (startTime !== undefined) node.startTime = startTime;
    const endTime = optionalNumber(raw, 'endTime');
    if (endTime !== undefined) node.endTime = endTime;
    const logPath = optionalString(raw, 'logPath');
    if (logPath !== undefined) node.logPath = logPath;
    nodes.push(node);
  }
  return { ...instance, nodes };
}
