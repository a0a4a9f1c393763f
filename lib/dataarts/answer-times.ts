import type { Instance, InstanceNode } from './instance';

/**
 * 2000-01-01T00:00:00Z. DataArts' times are epoch ms of this century: an earlier one is
 * seconds, 0 or a placeholder, and 0 is also the ledger's "no failure answered yet".
 */
const EARLIEST = Date.UTC(2000, 0, 1);
/**
 * How far DataArts' clock may run ahead of this tool's: skew, and an instance planned
 * for later today. A time further ahead is in micro- or nanoseconds (or garbage): as a
 * failure time it would back off for ever, or make the ledger refuse every real failure
 * after it.
 */
const AHEAD_MS = 86_400_000;

const INSTANCE_TIMES = ['planTime', 'startTime', 'endTime', 'submitTime'] as const;
const NODE_TIMES = ['startTime', 'endTime'] as const;

/**
 * The first time of an answer (the instance's, then its nodes') that cannot be an
 * epoch-ms time of DataArts, said in words; undefined when every time present is one.
 * `now` is this sweep's clock. A missing time is unknown, never wrong.
 */
export function implausibleTime(
  answer: Instance & { nodes?: readonly InstanceNode[] },
  now: number,
): string | undefined {
  const bad = (time: number | undefined) =>
    time !== undefined && !(time >= EARLIEST && time <= now + AHEAD_MS);
  const why = `is not an epoch-ms time from 2000-01-01 to a day after this sweep's clock`;
  const field = INSTANCE_TIMES.find((key) => bad(answer[key]));
  if (field) return `${field} ${answer[field]} ${why}`;
  for (const node of answer.nodes ?? []) {
    const key = NODE_TIMES.find((k) => bad(node[k]));
    if (key) return `node ${node.nodeName} ${key} ${node[key]} ${why}`;
  }
  return undefined;
}
