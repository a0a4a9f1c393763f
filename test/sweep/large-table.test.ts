import { formatTable } from '../../lib/render/format-table';
import type { DecisionRecord } from '../../lib/sweep/report';
import { fixedReport } from '../support/fixed-report';

const ROWS = 200_000;

function decisions(n: number): DecisionRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    target: `t${i % 50}`,
    workspace: 'default',
    jobName: `ods_job_${i}`,
    instanceId: String(1_000_000 + i),
    status: 'fail',
    outcome: i % 2 === 0 ? 'backing-off' : 'sweep-cap',
    detail: 'waiting',
  }));
}

describe('the command-line table with any number of rows', () => {
  it(`prints ${ROWS} decision rows with --all (no spread of rows into Math.max)`, () => {
    const text = formatTable(fixedReport({ decisions: decisions(ROWS) }), { all: true, width: 120 });
    const rows = text.split('\n').filter((line) => /^(backing-off|sweep-cap) /.test(line));
    expect(rows).toHaveLength(ROWS);
  });

  it(`folds ${ROWS} rows into one row per outcome and target without --all`, () => {
    const text = formatTable(fixedReport({ decisions: decisions(ROWS) }));
    expect(text.split('\n').filter((line) => /^(backing-off|sweep-cap) ×/.test(line))).toHaveLength(50);
  });
});
