import type { Instance } from '../dataarts/instance';
import { describeError } from '../errors';
import type { Outcome, SkipReason } from '../policy/decision';
import { cutMessage } from '../policy/failure-rules';
import { isoTime } from '../util/time';
import type { Planned, RestartDecision, SkipDecision } from './planned';
import { workspaceOf } from './planned';
import type { DecisionRecord, ErrorItem } from './report';
import type { TargetInput } from './target-input';

/** One decision as the report shows it, with why the instance failed: what an operator asks first. */
export function record(
  p: Pick<Planned, 'key' | 'instance' | 'failedNode'>,
  outcome: Outcome,
  detail: string,
  extra: { attempt?: number; maxAttempts?: number; rule?: string; until?: string } = {},
): DecisionRecord {
  const { errorMessage } = p.instance;
  return {
    ...p.key,
    status: p.instance.status,
    outcome,
    detail,
    ...extra,
    ...(errorMessage === undefined || errorMessage === '' ? {} : { errorMessage: cutMessage(errorMessage) }),
    ...(p.failedNode === undefined ? {} : { failedNode: p.failedNode }),
  };
}

/** The attempt numbers a restart decision carries, for records about it. */
export function budgetOf(decision: RestartDecision) {
  return { attempt: decision.attempt, maxAttempts: decision.maxAttempts, rule: decision.rule };
}

/** The attempt a decision names, as far as it names one: for a record or a skip made from it. */
export function attemptFields(decision: { attempt?: number; maxAttempts?: number; rule?: string }) {
  return {
    ...(decision.attempt === undefined ? {} : { attempt: decision.attempt }),
    ...(decision.maxAttempts === undefined ? {} : { maxAttempts: decision.maxAttempts }),
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
  };
}

export function fromSkip(p: Planned, decision: SkipDecision): DecisionRecord {
  const reason: SkipReason = decision.reason;
  return record(p, reason, decision.detail, {
    ...attemptFields(decision),
    ...(decision.until === undefined ? {} : { until: isoTime(decision.until) }),
  });
}

/** `job ods_orders, instance 7`: how a message names one instance. */
export function describeInstance(instance: Pick<Instance, 'jobName' | 'instanceId'>): string {
  return `job ${instance.jobName}, instance ${instance.instanceId}`;
}

/** An error of the target itself (listing, ledger): what the report's `errors` and `targets[].error` say. */
export function targetError(
  target: TargetInput['target'],
  error: unknown,
): { described: { code: string; message: string }; item: ErrorItem } {
  const described = describeError(error);
  return { described, item: { target: target.name, workspace: workspaceOf(target), ...described } };
}

/** An error of the target's answers, not of one attempt (LIST_INCOMPLETE, MALFORMED_INSTANCE). */
export function answerError(target: TargetInput['target'], code: string, message: string): ErrorItem {
  return { target: target.name, workspace: workspaceOf(target), code, message };
}
