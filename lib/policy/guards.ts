import type { StormGuardConfig } from '../config/types';
import type { Instance } from '../dataarts/instance';
import { type Decision, skip } from './decision';

export interface StormVerdict {
  suspected: boolean;
  failedJobs: number;
  failedInstances: number;
  totalInstances?: number;
  reason?: string;
}

/**
 * Retry-storm guard: when many distinct jobs fail at once, or most of the window
 * failed, the cause is probably shared (a cluster, a source, storage); rerunning
 * everything would add load to a sick system. Then nothing is restarted.
 */
export function detectStorm(
  failed: readonly Instance[],
  totalInstances: number | undefined,
  guard: StormGuardConfig,
): StormVerdict {
  const failedJobs = new Set(failed.map((i) => i.jobName)).size;
  const verdict: StormVerdict = {
    suspected: false,
    failedJobs,
    failedInstances: failed.length,
    ...(totalInstances === undefined ? {} : { totalInstances }),
  };
  if (!guard.enabled) return verdict;
  if (failedJobs > guard.maxFailedJobs) {
    return {
      ...verdict,
      suspected: true,
      reason: `${failedJobs} distinct jobs failed (limit ${guard.maxFailedJobs})`,
    };
  }
  // The count is a separate request (and a server's total may under-report): the window
  // holds at least the failures listed in it, so the ratio never exceeds 100%.
  const total = totalInstances === undefined ? undefined : Math.max(totalInstances, failed.length);
  if (total !== undefined && total >= guard.minInstances) {
    const ratio = failed.length / total;
    if (ratio > guard.maxFailedRatio) {
      const pct = (n: number) => `${Math.round(n * 100)}%`;
      const counted = total === totalInstances ? '' : ` (the count said ${totalInstances})`;
      return {
        ...verdict,
        suspected: true,
        reason: `${failed.length} of ${total} instances failed (${pct(ratio)} > ${pct(guard.maxFailedRatio)})${counted}`,
      };
    }
  }
  return verdict;
}

export interface FleetLimits {
  storm: StormVerdict;
  /** Restarts this sweep may still make (policy.maxRestartsPerSweep, shared by all targets). */
  sweepRemaining: number;
  /** Restarts this target may still make this hour (policy.maxRestartsPerHour). */
  hourRemaining: number;
  dryRun: boolean;
}

export interface Candidate {
  decision: Extract<Decision, { action: 'restart' }>;
  /** When the failure ended; older failures go first. */
  failedAt: number;
  /** An incident's canary (lib/policy/incident.ts): its one probe goes before any other restart. */
  canary?: boolean;
}

/** Restart priority: an incident's canary first, then fewest attempts used, then the oldest failure. */
export function byRestartPriority(a: Candidate, b: Candidate): number {
  return (
    Number(Boolean(b.canary)) - Number(Boolean(a.canary)) ||
    a.decision.attempt - b.decision.attempt ||
    a.failedAt - b.failedAt
  );
}

/**
 * Applies the fleet-wide limits to the restarts `decide` allowed, in priority order
 * (fewest attempts used first, then oldest failure): the storm guard stops all, the
 * caps stop the rest beyond them, and a dry run turns each remaining restart into
 * "would restart". Returns decisions in the order of `candidates`.
 */
export function applyFleetLimits(candidates: readonly Candidate[], limits: FleetLimits): Decision[] {
  const order = candidates
    .map((candidate, index) => ({ candidate, index }))
    .sort(
      (a, b) =>
        byRestartPriority(a.candidate, b.candidate) ||
        // Stryker disable next-line ArithmeticOperator: equivalent, sort is stable, and V8 reads a positive answer for equal priorities as "keep the later one after" (listed order either way).
        a.index - b.index,
    );
  // Stryker disable next-line ArrayDeclaration: equivalent, the loop assigns every index below candidates.length.
  const out = new Array<Decision>(candidates.length);
  let allowed = 0;
  for (const { candidate, index } of order) {
    const { decision } = candidate;
    const extra = { attempt: decision.attempt, maxAttempts: decision.maxAttempts, rule: decision.rule };
    if (limits.storm.suspected) {
      out[index] = skip('storm-guard', `storm suspected: ${limits.storm.reason}`, extra);
    } else if (allowed >= limits.sweepRemaining && limits.sweepRemaining <= limits.hourRemaining) {
      out[index] = skip('sweep-cap', undefined, extra);
    } else if (allowed >= limits.hourRemaining) {
      out[index] = skip('hourly-cap', undefined, extra);
    } else {
      allowed++;
      out[index] = limits.dryRun
        ? skip('dry-run', `would restart: attempt ${decision.attempt} of ${decision.maxAttempts}`, extra)
        : decision;
    }
  }
  return out;
}
