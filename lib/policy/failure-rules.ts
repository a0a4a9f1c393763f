import type { Instance, InstanceDetail, InstanceNode } from '../dataarts/instance';

/**
 * Rules on why an instance failed: its `errorMessage` (list answer; absent in some
 * editions) and the type of its failed node (show answer, one request per instance).
 * Pure; the sweep fetches node details only when `needsNodeDetails` says so.
 */
export interface FailureRuleFields {
  readonly neverRetryOn?: readonly string[];
  readonly retryOn?: readonly string[];
  readonly failedNodeTypes?: readonly string[];
  readonly neverRetryNodeTypes?: readonly string[];
  readonly unknownFailure: 'retry' | 'skip';
}

/**
 * Only this much of a message is matched. JavaScript regular expressions cannot be
 * timed out, so besides refusing the shapes that backtrack badly (`unsafePattern`),
 * the input is bounded: even a pattern that slipped through runs on 2,000 characters.
 */
export const MATCHED_CHARS = 2000;
/** A decision record carries at most this much of a message. */
export const SHOWN_CHARS = 300;

/** The message as reports carry it: at most `SHOWN_CHARS` characters. */
export function cutMessage(message: string, max = SHOWN_CHARS): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

/**
 * Why a pattern is refused, if it is: it does not compile, it uses a backreference,
 * or it nests a quantifier inside a quantified group (`(a+)+`, `(\w*x?)*`, `(a|a)*`
 * style): the shapes that make a backtracking engine take exponential time. A small
 * static check, deliberately strict: a refused pattern can almost always be written
 * without the nesting.
 */
export function unsafePattern(source: string): string | undefined {
  try {
    // Stryker disable next-line StringLiteral: equivalent, whether a pattern compiles does not depend on the case-insensitive flag.
    new RegExp(source, 'i');
  } catch (error) {
    return `is not a valid regular expression (${(error as Error).message})`;
  }
  if (/\\[1-9]|\\k</.test(source)) return 'uses a backreference, which can run for very long';
  if (nestedQuantifier(source))
    return 'nests a quantifier inside a repeated group (e.g. "(a+)+"), which can run for very long';
  return undefined;
}

/** True when a group that holds a quantifier (or an alternation) is itself quantified. */
function nestedQuantifier(source: string): boolean {
  const stack: boolean[] = [];
  let inClass = false;
  // Stryker disable next-line EqualityOperator: equivalent, one more turn reads `undefined`, which matches no branch.
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '(') stack.push(false);
    else if (c === ')') {
      // Stryker disable next-line BooleanLiteral: equivalent, the stack is never empty here: a pattern that compiles has no unmatched ")".
      const risky = stack.pop() ?? false;
      if (risky && /^[*+?{]/.test(source.slice(i + 1))) return true;
      // A risky inner group makes its enclosing group risky too.
      if (
        risky &&
        // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, with no enclosing group the mark lands on index -1, which no pop reads.
        stack.length > 0
      )
        // Stryker disable next-line ArithmeticOperator: equivalent, the enclosing group's ")" still pops this mark first (see below).
        stack[stack.length - 1] = true;
    } else if (
      (c === '*' || c === '+' || c === '{' || c === '|') &&
      // Stryker disable next-line ConditionalExpression,EqualityOperator: equivalent, outside any group the mark lands on index -1, which no pop reads.
      stack.length > 0
    ) {
      // Stryker disable next-line ArithmeticOperator: equivalent, a mark above the top is still what this group's ")" pops first; the slots left below it are never popped in a balanced pattern.
      stack[stack.length - 1] = true;
    }
  }
  return false;
}

const compiled = new Map<string, RegExp>();

/** Case-insensitive, compiled once per pattern (they are validated when the config is read). */
function regExpOf(source: string): RegExp {
  let re = compiled.get(source);
  // Stryker disable next-line ConditionalExpression: equivalent, compiling again gives the same expression (no global flag, so no state kept); the cache only saves time.
  if (!re) {
    re = new RegExp(source, 'i');
    compiled.set(source, re);
  }
  return re;
}

function firstMatch(patterns: readonly string[], message: string): string | undefined {
  const bounded = message.slice(0, MATCHED_CHARS);
  return patterns.find((p) => regExpOf(p).test(bounded));
}

export interface FailureVerdict {
  retry: boolean;
  /** Why not, naming the pattern or node type; or why it is retried although unknown. */
  detail?: string;
}

/** The verdict of the message rules (`neverRetryOn`, `retryOn`, `unknownFailure`). */
export function judgeMessage(
  instance: Pick<Instance, 'errorMessage'>,
  rule: FailureRuleFields,
): FailureVerdict {
  const { neverRetryOn = [], retryOn } = rule;
  if (neverRetryOn.length === 0 && retryOn === undefined) return { retry: true };
  const message = instance.errorMessage;
  if (message === undefined || message.trim() === '') {
    return rule.unknownFailure === 'skip'
      ? { retry: false, detail: 'no errorMessage, and unknownFailure is "skip"' }
      : { retry: true };
  }
  const never = firstMatch(neverRetryOn, message);
  if (never !== undefined) return { retry: false, detail: `errorMessage matches neverRetryOn "${never}"` };
  if (retryOn !== undefined && firstMatch(retryOn, message) === undefined)
    return { retry: false, detail: 'errorMessage matches no retryOn pattern' };
  return { retry: true };
}

/** Whether the rule looks at the failed node, which costs one show request per instance. */
export function needsNodeDetails(rule: FailureRuleFields): boolean {
  return rule.failedNodeTypes !== undefined || (rule.neverRetryNodeTypes?.length ?? 0) > 0;
}

/** The node that failed: the first in a failed status (DataArts stops a job at its first failed node). */
export function failedNode(detail: Pick<InstanceDetail, 'nodes'>): InstanceNode | undefined {
  return (
    detail.nodes.find((n) => n.status === 'fail') ??
    detail.nodes.find((n) => n.status === 'running-exception')
  );
}

const sameType = (types: readonly string[], type: string) =>
  types.some((t) => t.toLowerCase() === type.toLowerCase());

/**
 * The verdict of the node rules (`failedNodeTypes`, `neverRetryNodeTypes`). A failed
 * node that cannot be found, or has no type, is an unknown failure.
 */
export function judgeNode(node: InstanceNode | undefined, rule: FailureRuleFields): FailureVerdict {
  if (!needsNodeDetails(rule)) return { retry: true };
  if (node?.type === undefined) {
    return rule.unknownFailure === 'skip'
      ? { retry: false, detail: 'the failed node or its type is unknown, and unknownFailure is "skip"' }
      : { retry: true };
  }
  const { type } = node;
  if (rule.neverRetryNodeTypes && sameType(rule.neverRetryNodeTypes, type))
    return { retry: false, detail: `failed node ${node.nodeName} is a ${type}: in neverRetryNodeTypes` };
  if (rule.failedNodeTypes && !sameType(rule.failedNodeTypes, type))
    return { retry: false, detail: `failed node ${node.nodeName} is a ${type}: not in failedNodeTypes` };
  return { retry: true };
}

/** The failure in a few words, for a table cell: the failed node's type and name, the message's start. */
export function shortFailure(record: {
  errorMessage?: string;
  failedNode?: { name: string; type?: string };
}): string {
  const node = record.failedNode;
  const parts = [
    ...(node ? [`${node.type ?? '?'} ${node.name}`] : []),
    ...(record.errorMessage ? [cutMessage(record.errorMessage.replace(/\s+/g, ' ').trim(), 60)] : []),
  ];
  return parts.join(': ');
}
