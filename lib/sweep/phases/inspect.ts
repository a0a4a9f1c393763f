import { implausibleTime } from '../../dataarts/answer-times';
import { describeError } from '../../errors';
import { restartForbidden } from '../../policy/decide';
import { skip } from '../../policy/decision';
import { failedNode, judgeNode, needsNodeDetails } from '../../policy/failure-rules';
import { decided, goingAhead, type Planned, replaced, wantsRestart } from '../planned';
import { answerError, attemptFields, describeInstance } from '../records';
import type { ErrorItem } from '../report';
import type { TargetInput } from '../target-input';

export type InspectInput = Pick<TargetInput, 'client' | 'target' | 'now' | 'deadline' | 'signal'>;

/** The planned failures after the node rules, the restarts still to make, and the show answers not trusted. */
export interface Inspected {
  planned: Planned[];
  toRestart: Planned[];
  errors: ErrorItem[];
}

type Judged = { p: Planned; error?: ErrorItem };

/**
 * The inspect phase. The rules on the failed node's type (`failedNodeTypes`,
 * `neverRetryNodeTypes`) need the show answer: one request per instance. They are read
 * only for instances the fleet limits let through (so a storm or a cap costs nothing),
 * through the same client (its rate limit and concurrency) and before the deadline; an
 * instance whose details could not be read in time is `deferred`, one whose details
 * failed is an unknown failure (`unknownFailure` decides), one whose answer cannot be
 * trusted is not restarted (`distrust`), nor one the answer says may not be
 * (`restartForbidden`).
 */
export async function inspect(
  input: InspectInput,
  planned: readonly Planned[],
  toRestart: readonly Planned[],
): Promise<Inspected> {
  const wanted = planned.filter((p) => goingAhead(p) && needsNodeDetails(p.rule));
  const judged = await Promise.all(wanted.map((p) => judgeOne(input, p)));
  const changed = new Map(wanted.map((p, i) => [p, (judged[i] as Judged).p]));
  return {
    planned: replaced(planned, changed),
    toRestart: replaced(toRestart, changed).filter(wantsRestart),
    errors: judged.flatMap((j) => (j.error ? [j.error] : [])),
  };
}

async function judgeOne(input: InspectInput, p: Planned): Promise<Judged> {
  const budget = { ...attemptFields(p.decision), rule: p.rule.name };
  if (input.signal?.aborted || input.now() >= input.deadline)
    return {
      p: decided(p, skip('deferred', 'no time left to read the failed node its rule looks at', budget)),
    };
  let detail: Awaited<ReturnType<InspectInput['client']['getInstance']>> | undefined;
  let problem: string | undefined;
  try {
    detail = await input.client.getInstance(p.instance.jobName, p.instance.instanceId, input.signal);
  } catch (error) {
    if (input.signal?.aborted)
      return { p: decided(p, skip('deferred', 'the sweep stopped while reading the failed node', budget)) };
    const described = describeError(error);
    if (described.code === 'MALFORMED_RESPONSE') return distrust(input, p, described.message, budget);
    problem = described.code;
  }
  const untimely = detail && implausibleTime(detail, input.now());
  if (untimely) return distrust(input, p, untimely, budget);
  // An operator's mark made since the listing, or a type the listing left out, still forbids it.
  const forbidden = detail && restartForbidden(detail, p.rule);
  if (forbidden)
    return { p: decided(p, skip(forbidden.reason, `${forbidden.detail} (the show answer says so)`, budget)) };
  const node = detail ? failedNode(detail) : undefined;
  const learnt = node
    ? { failedNode: { name: node.nodeName, ...(node.type === undefined ? {} : { type: node.type }) } }
    : {};
  const verdict = judgeNode(node, p.rule);
  if (verdict.retry) return { p: { ...p, ...learnt } };
  const why =
    problem === undefined ? verdict.detail : `node details unavailable (${problem}): ${verdict.detail}`;
  return { p: decided(p, skip('non-retryable-failure', why, budget), learnt) };
}

/**
 * A show answer that cannot be trusted (a time that is not one, a mistyped safety
 * field, another instance's identity) may hide what forbids the restart: the instance
 * is not restarted whatever `unknownFailure` says, and the answer is reported like a
 * malformed list item. An answer that did not come (gone, a timeout) is only unknown.
 */
function distrust(
  input: InspectInput,
  p: Planned,
  problem: string,
  budget: ReturnType<typeof attemptFields>,
): Judged {
  const why = `the show answer cannot be trusted (MALFORMED_RESPONSE: ${problem})`;
  return {
    p: decided(p, skip('non-retryable-failure', why, budget)),
    error: answerError(
      input.target,
      'MALFORMED_INSTANCE',
      `show answer: ${describeInstance(p.instance)}: ${problem}`,
    ),
  };
}
