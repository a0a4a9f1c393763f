import type { RetryRule, TargetConfig } from '../config/types';
import type { Instance } from '../dataarts/instance';
import type { InstanceKey, LedgerEntry } from '../ledger/ledger';
import type { Decision } from '../policy/decision';

/**
 * One listed instance on its way through the phases. A value: a phase that decides it
 * anew returns a new one (`decided`), so what a phase was given never changes under it.
 */
export interface Planned {
  readonly instance: Instance;
  readonly key: InstanceKey;
  readonly rule: RetryRule;
  readonly entry: LedgerEntry | undefined;
  readonly decision: Decision;
  /** Its ledger entry was read (`entry` is then what the ledger holds, if anything). */
  readonly entryRead?: boolean;
  /** The failed node, when a rule on node types had its details read. */
  readonly failedNode?: { name: string; type?: string };
  /** The canary of an incident: the caps take it first, as the probe it is. */
  readonly canary?: boolean;
}

export type RestartDecision = Extract<Decision, { action: 'restart' }>;
export type SkipDecision = Extract<Decision, { action: 'skip' }>;

/** `p` with a new decision (and whatever else the phase learnt about it). */
export function decided(p: Planned, decision: Decision, learnt: Partial<Planned> = {}): Planned {
  return { ...p, ...learnt, decision };
}

/** Would it be restarted now? */
export const wantsRestart = (p: Planned): boolean => p.decision.action === 'restart';

/** Would it be restarted (or, in a dry run, would it have been)? */
export const goingAhead = (p: Planned): boolean =>
  p.decision.action === 'restart' || p.decision.reason === 'dry-run';

export function workspaceOf(target: TargetConfig): string {
  return target.workspace ?? 'default';
}

/** Replaces, in order, each item of `list` that `changed` has a new value for. */
export function replaced(list: readonly Planned[], changed: ReadonlyMap<Planned, Planned>): Planned[] {
  return changed.size === 0 ? [...list] : list.map((p) => changed.get(p) ?? p);
}

/** When the failure ended: older failures are evaluated (and restarted) first. */
export function failedAt(instance: Instance): number {
  return instance.endTime ?? instance.planTime ?? 0;
}

/** What a failure left unread is recorded as: the cap that older failures filled, the storm, or the halt. */
export function unreadDecision(
  reason: 'sweep-cap' | 'hourly-cap' | 'storm-guard' | 'target-halted',
  detail: string,
): SkipDecision {
  return { action: 'skip', reason, detail: `${detail} (not evaluated: its ledger entry was not read)` };
}
