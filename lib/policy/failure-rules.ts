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
 * timed out, so besides refusing the shapes that backtrack badly (`unsafePattern`, util/unsafe-pattern.ts),
 * the input is bounded: even a pattern that slipped through runs on 2,000 characters.
 */
export const MATCHED_CHARS = 2000;
/** A decision record carries at most this much of a message. */
export const SHOWN_CHARS = 300;

/** The message as reports carry it: at most `SHOWN_CHARS` characters. */
export function cutMessage(message: string, max = SHOWN_CHARS): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
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

/** The first pattern that matches the message (its first `MATCHED_CHARS` characters), case-insensitively. */
export function firstMatch(patterns: readonly string[], message: string): string | undefined {
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
