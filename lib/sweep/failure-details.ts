import { implausibleTime } from '../dataarts/answer-times';
import { describeError } from '../errors';
import { restartForbidden } from '../policy/decide';
import { skip } from '../policy/decision';
import { failedNode, judgeNode, needsNodeDetails } from '../policy/failure-rules';
import {
  attemptFields,
  describeInstance,
  type Planned,
  type TargetSweepInput,
  type TargetSweepResult,
  workspaceOf,
} from './target-context';

/** Would this instance be restarted (or, in a dry run, would it be)? Only those are worth a request. */
const goingAhead = (p: Planned) =>
  // Stryker disable next-line ConditionalExpression: `action === 'skip'` → true is equivalent, only a skip has a reason; the check is there for the type.
  p.decision.action === 'restart' || (p.decision.action === 'skip' && p.decision.reason === 'dry-run');

/**
 * The rules on the failed node's type (`failedNodeTypes`, `neverRetryNodeTypes`) need
 * the show answer: one request per instance. They are read only for instances the
 * fleet limits let through (so a storm or a cap costs nothing), through the same
 * client (its rate limit and concurrency) and before the deadline; an instance whose
 * details could not be read in time is `deferred`, one whose details failed is an
 * unknown failure (`unknownFailure` decides), one whose answer cannot be trusted is
 * not restarted (`distrust`), nor one the answer says may not be (`restartForbidden`).
 * Turns refused ones into skips, in place.
 */
export async function applyNodeRules(
  input: TargetSweepInput,
  planned: readonly Planned[],
  result: Pick<TargetSweepResult, 'errors'>,
): Promise<void> {
  const wanted = planned.filter((p) => goingAhead(p) && needsNodeDetails(p.rule));
  await Promise.all(wanted.map((p) => judgeOne(input, p, result)));
}

async function judgeOne(
  input: TargetSweepInput,
  p: Planned,
  result: Pick<TargetSweepResult, 'errors'>,
): Promise<void> {
  const budget = { ...attemptFields(p.decision), rule: p.rule.name };
  if (input.signal?.aborted || input.now() >= input.deadline) {
    p.decision = skip('deferred', 'no time left to read the failed node its rule looks at', budget);
    return;
  }
  let detail: Awaited<ReturnType<TargetSweepInput['client']['getInstance']>> | undefined;
  let problem: string | undefined;
  try {
    detail = await input.client.getInstance(p.instance.jobName, p.instance.instanceId, input.signal);
  } catch (error) {
    if (input.signal?.aborted) {
      p.decision = skip('deferred', 'the sweep stopped while reading the failed node', budget);
      return;
    }
    const described = describeError(error);
    if (described.code === 'MALFORMED_RESPONSE') return distrust(input, result, p, described.message, budget);
    problem = described.code;
  }
  const untimely = detail && implausibleTime(detail, input.now());
  if (untimely) return distrust(input, result, p, untimely, budget);
  // An operator's mark made since the listing, or a type the listing left out, still forbids it.
  const forbidden = detail && restartForbidden(detail, p.rule);
  if (forbidden) {
    p.decision = skip(forbidden.reason, `${forbidden.detail} (the show answer says so)`, budget);
    return;
  }
  const node = detail ? failedNode(detail) : undefined;
  if (node) p.failedNode = { name: node.nodeName, ...(node.type === undefined ? {} : { type: node.type }) };
  const verdict = judgeNode(node, p.rule);
  if (verdict.retry) return;
  const why =
    problem === undefined ? verdict.detail : `node details unavailable (${problem}): ${verdict.detail}`;
  p.decision = skip('non-retryable-failure', why, budget);
}

/**
 * A show answer that cannot be trusted (a time that is not one, a mistyped safety
 * field, another instance's identity) may hide what forbids the restart: the instance
 * is not restarted whatever `unknownFailure` says, and the answer is reported like a
 * malformed list item. An answer that did not come (gone, a timeout) is only unknown.
 */
function distrust(
  input: TargetSweepInput,
  result: Pick<TargetSweepResult, 'errors'>,
  p: Planned,
  problem: string,
  budget: ReturnType<typeof attemptFields>,
): void {
  p.decision = skip(
    'non-retryable-failure',
    `the show answer cannot be trusted (MALFORMED_RESPONSE: ${problem})`,
    budget,
  );
  result.errors.push({
    target: input.target.name,
    workspace: workspaceOf(input.target),
    code: 'MALFORMED_INSTANCE',
    message: `show answer: ${describeInstance(p.instance)}: ${problem}`,
  });
}
