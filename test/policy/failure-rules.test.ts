import { parseConfig } from '../../lib/config/parse';
import type { RetryRule } from '../../lib/config/types';
import type { Instance } from '../../lib/dataarts/instance';
import { decide } from '../../lib/policy/decide';
import {
  cutMessage,
  type FailureRuleFields,
  failedNode,
  judgeMessage,
  judgeNode,
  MATCHED_CHARS,
  needsNodeDetails,
  shortFailure,
} from '../../lib/policy/failure-rules';
import { resolveRule } from '../../lib/policy/rules';
import { unsafePattern } from '../../lib/util/unsafe-pattern';

const T0 = Date.UTC(2026, 10, 24, 8);
const MIN = 60_000;

function policyOf(policy: Record<string, unknown>) {
  return parseConfig({
    targets: [{ name: 'prod', endpoint: 'https://dayu-dlf.cn-north-4.myhuaweicloud.com', projectId: 'p1' }],
    ledger: { type: 'file', path: '/tmp/x.json' },
    policy,
  }).policy;
}

const rule = (fields: Partial<FailureRuleFields>): FailureRuleFields => ({
  unknownFailure: 'retry',
  ...fields,
});

describe('policy patterns in the configuration', () => {
  it('names the field of an invalid or slow pattern', () => {
    expect(() => policyOf({ neverRetryOn: ['(a+)+$'] })).toThrow(
      /policy\.neverRetryOn\[0\].*nests a quantifier/,
    );
    expect(() => policyOf({ rules: [{ match: 'x', retryOn: ['ok', '(bad'] }] })).toThrow(
      /policy\.rules\[0\]\.retryOn\[1\].*not a valid regular expression/,
    );
    expect(() => policyOf({ unknownFailure: 'maybe' })).toThrow(/policy\.unknownFailure/);
  });

  it('lets a rule replace the policy keys one by one', () => {
    const policy = policyOf({
      neverRetryOn: ['permission denied'],
      rules: [{ match: 'dli_*', retryOn: ['queue .* busy'], neverRetryNodeTypes: ['Shell'] }],
    });
    const dli = resolveRule('dli_1', policy);
    expect(dli).toMatchObject({ neverRetryOn: ['permission denied'], retryOn: ['queue .* busy'] });
    expect(needsNodeDetails(dli)).toBe(true);
    const other = resolveRule('ods_1', policy);
    expect(other.retryOn).toBeUndefined();
    expect(needsNodeDetails(other)).toBe(false);
    expect(other.unknownFailure).toBe('retry');
  });
});

describe('judgeMessage', () => {
  const failed = (errorMessage?: string) => (errorMessage === undefined ? {} : { errorMessage });

  it('retries everything when no message rule is set, message or not', () => {
    expect(judgeMessage(failed('anything'), rule({}))).toEqual({ retry: true });
    expect(judgeMessage(failed(), rule({ unknownFailure: 'skip' }))).toEqual({ retry: true });
  });

  it('skips a message that matches neverRetryOn, case-insensitively, naming the pattern', () => {
    expect(
      judgeMessage(failed('Table NOT FOUND: ods.x'), rule({ neverRetryOn: ['table not found'] })),
    ).toEqual({
      retry: false,
      detail: 'errorMessage matches neverRetryOn "table not found"',
    });
  });

  it('with retryOn, retries only matching messages; neverRetryOn wins over it', () => {
    const r = rule({ retryOn: ['connection reset', 'queue .* busy'], neverRetryOn: ['syntax'] });
    expect(judgeMessage(failed('DLI queue q1 is busy'), r).retry).toBe(true);
    expect(judgeMessage(failed('Out of memory'), r)).toEqual({
      retry: false,
      detail: 'errorMessage matches no retryOn pattern',
    });
    expect(judgeMessage(failed('connection reset; syntax error'), r).retry).toBe(false);
  });

  it('without errorMessage (or blank), follows unknownFailure', () => {
    const r = rule({ retryOn: ['reset'] });
    expect(judgeMessage(failed(), r).retry).toBe(true);
    expect(judgeMessage(failed('  '), r).retry).toBe(true);
    expect(judgeMessage(failed(), { ...r, unknownFailure: 'skip' })).toEqual({
      retry: false,
      detail: 'no errorMessage, and unknownFailure is "skip"',
    });
  });

  it('matches only the first MATCHED_CHARS characters of a message', () => {
    const long = `${'x'.repeat(MATCHED_CHARS)}connection reset`;
    expect(judgeMessage(failed(long), rule({ neverRetryOn: ['connection reset'] })).retry).toBe(true);
  });

  it('refuses the classic catastrophic patterns before they can run, and bounds what any pattern sees', () => {
    // Never run here: on 30 "x" without a "y" these take seconds to hours in a backtracking engine.
    for (const evil of ['(x+x+)+y', '(a+)+$', '(.*a){12}', '(a|a)+$', '([a-z]+)*!'])
      expect(unsafePattern(evil)).toBeDefined();
    expect(() => policyOf({ neverRetryOn: ['(x+x+)+y'] })).toThrow(/policy\.neverRetryOn\[0\]/);
    // The second line of defence: whatever runs sees at most MATCHED_CHARS characters.
    const seen: string[] = [];
    const spy = jest.spyOn(RegExp.prototype, 'test').mockImplementation(function (
      this: RegExp,
      text: string,
    ) {
      seen.push(text);
      return false;
    });
    try {
      judgeMessage(failed('y'.repeat(1_000_000)), rule({ neverRetryOn: ['z'] }));
    } finally {
      spy.mockRestore();
    }
    expect(seen.map((t) => t.length)).toEqual([MATCHED_CHARS]);
  });
});

describe('judgeNode and failedNode', () => {
  const node = (type?: string) => ({ nodeName: 'load', status: 'fail', ...(type ? { type } : {}) });

  it('finds the failed node among the others', () => {
    expect(
      failedNode({
        nodes: [{ nodeName: 'a', status: 'success' }, node('Shell'), { nodeName: 'c', status: 'skip' }],
      }),
    ).toMatchObject({ nodeName: 'load', type: 'Shell' });
    expect(failedNode({ nodes: [{ nodeName: 'a', status: 'success' }] })).toBeUndefined();
  });

  it('applies neverRetryNodeTypes and failedNodeTypes, case-insensitively', () => {
    expect(judgeNode(node('Shell'), rule({ neverRetryNodeTypes: ['shell'] }))).toEqual({
      retry: false,
      detail: 'failed node load is a Shell: in neverRetryNodeTypes',
    });
    expect(judgeNode(node('DLISQL'), rule({ failedNodeTypes: ['DLISQL', 'CDMJob'] })).retry).toBe(true);
    expect(judgeNode(node('HiveSQL'), rule({ failedNodeTypes: ['DLISQL'] }))).toEqual({
      retry: false,
      detail: 'failed node load is a HiveSQL: not in failedNodeTypes',
    });
  });

  it('an unknown node follows unknownFailure; no node rule means no verdict needed', () => {
    expect(judgeNode(undefined, rule({ failedNodeTypes: ['DLISQL'] })).retry).toBe(true);
    expect(judgeNode(node(), rule({ failedNodeTypes: ['DLISQL'], unknownFailure: 'skip' })).retry).toBe(
      false,
    );
    expect(judgeNode(undefined, rule({})).retry).toBe(true);
    expect(needsNodeDetails(rule({ neverRetryNodeTypes: [] }))).toBe(false);
  });
});

describe('decide with failure rules', () => {
  const policy = policyOf({ neverRetryOn: ['permission denied'], unknownFailure: 'skip' });
  const instance = (errorMessage?: string): Instance => ({
    jobName: 'job_1',
    instanceId: '1',
    status: 'fail',
    startTime: T0 - 40 * MIN,
    endTime: T0 - 30 * MIN,
    ...(errorMessage === undefined ? {} : { errorMessage }),
  });
  const decideNow = (i: Instance, r: RetryRule = policy.defaults) => decide(i, undefined, r, T0, { policy });

  it('skips a non-retryable failure with the reason and the pattern', () => {
    expect(decideNow(instance('Permission denied for table x'))).toMatchObject({
      action: 'skip',
      reason: 'non-retryable-failure',
      detail: 'errorMessage matches neverRetryOn "permission denied"',
      rule: 'default',
    });
  });

  it('restarts a failure the rules allow, and follows unknownFailure without a message', () => {
    expect(decideNow(instance('connection reset')).action).toBe('restart');
    expect(decideNow(instance())).toMatchObject({ reason: 'non-retryable-failure' });
  });

  it('comes after the operator override and the instance type', () => {
    expect(decideNow({ ...instance('permission denied'), forceSuccess: true })).toMatchObject({
      reason: 'operator-override',
    });
    expect(decideNow({ ...instance('permission denied'), instanceType: 2 })).toMatchObject({
      reason: 'instance-type',
    });
  });
});

describe('shown failures', () => {
  it('cuts messages to 300 characters and writes a short form for the table', () => {
    expect(cutMessage('a'.repeat(500))).toHaveLength(300);
    expect(cutMessage('short')).toBe('short');
    expect(
      shortFailure({
        errorMessage: 'Connection\n reset by peer',
        failedNode: { name: 'load', type: 'Shell' },
      }),
    ).toBe('Shell load: Connection reset by peer');
    expect(shortFailure({})).toBe('');
  });
});

describe('the shipped example of failure patterns', () => {
  it('is a valid configuration whose patterns all pass the safety check', async () => {
    const { loadConfig } = await import('../../lib/cli/load-config');
    const config = await loadConfig(`${__dirname}/../../examples/transient-failures.json`);
    const dli = resolveRule('dli_sales', config.policy);
    expect(judgeMessage({ errorMessage: 'Connection reset by peer' }, dli).retry).toBe(true);
    expect(judgeMessage({ errorMessage: 'Permission denied: user x' }, dli).retry).toBe(false);
    expect(judgeMessage({ errorMessage: 'NullPointerException' }, dli).retry).toBe(false);
    expect(judgeMessage({}, dli).retry).toBe(false);
    expect(judgeMessage({}, resolveRule('ads_x', config.policy)).retry).toBe(true);
  });
});
