import type { Problem } from './problems';

/** What was last said about each ongoing problem; kept in the notice store between sweeps. */
export interface NoticeState {
  problems: Record<string, { kind: Problem['kind']; target: string; since: number; lastSentAt: number }>;
}

export const EMPTY_NOTICES: NoticeState = { problems: {} };

/** How a summary treats each problem of this sweep. */
export interface NoticePlan {
  /** Problems to show: new ones, and ongoing ones whose reminder is due (with `since`). */
  show: Map<string, { since: number; reminder: boolean }>;
  /** Ongoing problems announced recently enough to leave out. */
  hide: Set<string>;
  /** Problems of the last state that this sweep no longer has. */
  cleared: Array<{ key: string; kind: Problem['kind']; target: string; since: number }>;
  /** The state to store once the summary has been delivered. */
  next: NoticeState;
}

/**
 * De-duplication policy, pure: a problem is announced when it starts, reminded every
 * `remindMs` while it lasts, and announced as resolved when it is gone. The caller
 * stores `next` only after a delivery succeeded, so an announcement that reached
 * nobody is tried again by the next sweep.
 */
export function planNotices(
  state: NoticeState,
  problems: readonly Problem[],
  now: number,
  remindMs: number,
): NoticePlan {
  const plan: NoticePlan = { show: new Map(), hide: new Set(), cleared: [], next: { problems: {} } };
  for (const p of problems) {
    const known = state.problems[p.key];
    if (!known) {
      plan.show.set(p.key, { since: now, reminder: false });
      plan.next.problems[p.key] = { kind: p.kind, target: p.target, since: now, lastSentAt: now };
    } else if (now - known.lastSentAt >= remindMs) {
      plan.show.set(p.key, { since: known.since, reminder: true });
      plan.next.problems[p.key] = { ...known, lastSentAt: now };
    } else {
      plan.hide.add(p.key);
      plan.next.problems[p.key] = known;
    }
  }
  for (const [key, known] of Object.entries(state.problems)) {
    if (!(key in plan.next.problems))
      plan.cleared.push({ key, kind: known.kind, target: known.target, since: known.since });
  }
  return plan;
}

/** A plan that shows everything and stores nothing: dry runs, previews, no store. */
export function showAll(problems: readonly Problem[], now: number): NoticePlan {
  return planNotices(EMPTY_NOTICES, problems, now, 0);
}
