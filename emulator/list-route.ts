/**
 * The emulator's list route (`GET /v1/{project_id}/jobs/instances/detail`): filters,
 * time window, order, paging and `total`, under each reading of the docs the client
 * must survive (see EmulatorOptions and README "Fidelity notes").
 */
import type { Fault } from './options';
import type { Call, Responder } from './respond';
import { type EmulatedInstance, publicView } from './state';

/** The 7-day cap of a recent edition, on by default. */
export const DEFAULT_MAX_WINDOW_MS = 7 * 86_400_000;

export interface ListRouteOptions {
  offsetMode?: 'page' | 'record';
  maxWindowMs?: number;
  timeField?: 'planTime' | 'startTime';
  strictBounds?: boolean;
  listOrder?: 'newest-first' | 'unordered';
  pageOverlap?: number;
  reportTotal?: (actual: number, query: { limit: number; offset: number }) => number;
}

export type ListAnswer =
  | { ok: true; total: number; rows: EmulatedInstance[] }
  | { ok: false; code: string; msg: string };

/** One list answer over the workspace's (settled) instances. */
export function answerList(
  instances: readonly EmulatedInstance[],
  query: Record<string, string>,
  now: number,
  options: ListRouteOptions,
): ListAnswer {
  const limit = query.limit === undefined ? 10 : Number(query.limit);
  const offset = query.offset === undefined ? 0 : Number(query.offset);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
    return { ok: false, code: 'DLF.0001', msg: 'limit must be 1..1000 (EMU).' };
  if (!Number.isInteger(offset) || offset < 0)
    return { ok: false, code: 'DLF.0001', msg: 'offset must be >= 0 (EMU).' };
  const startOfDay = new Date(now).setUTCHours(0, 0, 0, 0);
  const min = query.minPlanTime === undefined ? startOfDay : Number(query.minPlanTime);
  const max = query.maxPlanTime === undefined ? now : Number(query.maxPlanTime);
  // The cap applies to every request, a count with limit=1 included.
  if (max - min > (options.maxWindowMs ?? DEFAULT_MAX_WINDOW_MS))
    return { ok: false, code: 'DLF.0001', msg: 'The time window may not exceed 7 days (EMU).' };
  const field = options.timeField ?? 'planTime';
  const strict = options.strictBounds ?? true;
  const matches = instances.filter((i) => inWindow(i[field], min, max, strict) && matchesFilters(i, query));
  ordered(matches, options.listOrder ?? 'newest-first');
  const skip = options.offsetMode === 'record' ? offset : offset * limit;
  const start = skip > 0 ? Math.max(0, skip - (options.pageOverlap ?? 0)) : 0;
  const rows = matches.slice(start, start + limit);
  if (options.listOrder === 'unordered') sortByHash(rows, `page:${offset}`);
  const total = options.reportTotal ? options.reportTotal(matches.length, { limit, offset }) : matches.length;
  return { ok: true, total, rows };
}

function matchesFilters(i: EmulatedInstance, query: Record<string, string>): boolean {
  const type = query.instanceType === undefined ? undefined : Number(query.instanceType);
  if (query.status !== undefined && i.status !== query.status) return false;
  if (type !== undefined && i.instanceType !== type) return false;
  if (query.jobName === undefined) return true;
  return query.preciseQuery === 'true' ? i.jobName === query.jobName : i.jobName.includes(query.jobName);
}

/** Strict on both ends as documented, or inclusive (a lenient server). */
function inWindow(time: number | undefined, min: number, max: number, strict: boolean): boolean {
  if (time === undefined) return false;
  return strict ? time > min && time < max : time >= min && time <= max;
}

/** Sorts in place: newest plan time first, or a stable order unrelated to time. */
function ordered(matches: EmulatedInstance[], order: 'newest-first' | 'unordered'): void {
  if (order === 'unordered') sortByHash(matches, 'all');
  else matches.sort((a, b) => b.planTime - a.planTime || (a.instanceId < b.instanceId ? -1 : 1));
}

/** Sorts in place, deterministically, by a hash of salt and instance id (FNV-1a). */
function sortByHash(rows: EmulatedInstance[], salt: string): void {
  const hash = (id: string) => {
    let h = 0x811c9dc5;
    for (const c of `${salt}:${id}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return h;
  };
  const keyed = rows.map((row) => ({ row, key: hash(row.instanceId) }));
  keyed.sort((a, b) => a.key - b.key || (a.row.instanceId < b.row.instanceId ? -1 : 1));
  keyed.forEach(({ row }, i) => {
    rows[i] = row;
  });
}

/** Answers the list route over the workspace's instances, settled to `now`. */
export function serveList(
  call: Call,
  out: Responder,
  instances: readonly EmulatedInstance[],
  now: number,
  options: ListRouteOptions,
  fault: Fault | undefined,
): void {
  const answer = answerList(instances, call.record.query, now, options);
  if (!answer.ok) {
    out.error(call, 400, answer.code, answer.msg);
    return;
  }
  let rows = answer.rows.map(publicView);
  if (fault?.kind === 'unknown-fields') {
    rows = rows.map((r) => ({ ...r, newField: { nested: true }, anotherOne: 'x' }));
  }
  out.send(call, 200, { total: answer.total, instances: rows });
}
