import {
  cutMessage,
  type FailureRuleFields,
  failedNode,
  judgeNode,
  SHOWN_CHARS,
  shortFailure,
} from '../../lib/policy/failure-rules';

/** The failure rules at their edges: the failed node, the shown text. */

const rule = (fields: Partial<FailureRuleFields>): FailureRuleFields => ({
  unknownFailure: 'retry',
  ...fields,
});

describe('failedNode', () => {
  it('falls back to a node in running-exception when none failed', () => {
    expect(
      failedNode({
        nodes: [
          { nodeName: 'extract', status: 'success' },
          { nodeName: 'load', status: 'running-exception', type: 'DLISQL' },
          { nodeName: 'report', status: 'waiting' },
        ],
      }),
    ).toEqual({ nodeName: 'load', status: 'running-exception', type: 'DLISQL' });
  });

  it('prefers a failed node over an earlier one in running-exception', () => {
    expect(
      failedNode({
        nodes: [
          { nodeName: 'stuck', status: 'running-exception' },
          { nodeName: 'broken', status: 'fail' },
        ],
      }),
    ).toMatchObject({ nodeName: 'broken' });
  });

  it('finds none among nodes that did not fail', () => {
    expect(
      failedNode({
        nodes: [
          { nodeName: 'a', status: 'success' },
          { nodeName: 'b', status: '' },
        ],
      }),
    ).toBeUndefined();
    expect(failedNode({ nodes: [] })).toBeUndefined();
  });
});

describe('judgeNode', () => {
  it('without node rules there is nothing to judge, even for an unknown node under unknownFailure "skip"', () => {
    expect(judgeNode(undefined, rule({ unknownFailure: 'skip' }))).toEqual({ retry: true });
    expect(
      judgeNode({ nodeName: 'x', status: 'fail' }, rule({ unknownFailure: 'skip', neverRetryNodeTypes: [] })),
    ).toEqual({
      retry: true,
    });
  });

  it('an unknown node under unknownFailure "skip" says why', () => {
    const skip = rule({ neverRetryNodeTypes: ['Shell'], unknownFailure: 'skip' });
    const why = {
      retry: false,
      detail: 'the failed node or its type is unknown, and unknownFailure is "skip"',
    };
    expect(judgeNode(undefined, skip)).toEqual(why);
    expect(judgeNode({ nodeName: 'load', status: 'fail' }, skip)).toEqual(why);
  });
});

describe('shown failures', () => {
  it('a message of exactly SHOWN_CHARS is shown whole; one more is cut with an ellipsis', () => {
    const exact = 'm'.repeat(SHOWN_CHARS);
    expect(cutMessage(exact)).toBe(exact);
    expect(cutMessage(`${exact}n`)).toBe(`${'m'.repeat(SHOWN_CHARS - 1)}…`);
    expect(cutMessage('abcd', 4)).toBe('abcd');
    expect(cutMessage('abcde', 4)).toBe('abc…');
  });

  it('a node without a type shows "?", and the message is trimmed', () => {
    expect(shortFailure({ failedNode: { name: 'load' } })).toBe('? load');
    expect(shortFailure({ errorMessage: '  \n Connection   reset \t' })).toBe('Connection reset');
    expect(shortFailure({ errorMessage: ' x ', failedNode: { name: 'n', type: 'Shell' } })).toBe(
      'Shell n: x',
    );
  });
});
