import { planNotices } from '../../lib/notify/notices';
import { problemsOf } from '../../lib/notify/problems';
import { buildSummary } from '../../lib/notify/summary';
import type { IncidentReport, SweepReport } from '../../lib/sweep/report';
import { fixedReport } from '../support/fixed-report';

const MIN = 60_000;
const T = Date.parse('2026-11-24T08:00:00Z');
const CAUSE = "DLI.0005: queue '<v>' is unavailable: connection to <host> refused";

function incident(over: Partial<IncidentReport> = {}): IncidentReport {
  return {
    causeKey: '0123456789abcdef',
    cause: CAUSE,
    state: 'open',
    events: [],
    openedAt: '2026-11-24T08:00:00Z',
    since: '2026-11-24T07:52:00Z',
    jobs: 120,
    held: 119,
    probes: 0,
    nextProbeAt: '2026-11-24T08:15:00Z',
    released: 0,
    ...over,
  };
}

/** A quiet sweep at `minutes` after T with these incidents on its one target. */
function reportWith(minutes: number, ...incidents: IncidentReport[]): SweepReport {
  const report = fixedReport({
    startedAt: new Date(T + minutes * MIN).toISOString(),
    restarted: [],
    exhausted: [],
    errors: [],
    totals: {},
  });
  const target = report.targets[0];
  if (target) target.incidents = incidents;
  return report;
}

const incidentSection = (report: SweepReport, notices?: ReturnType<typeof planNotices>, locale?: 'zh-CN') =>
  buildSummary(report, { ...(notices ? { notices } : {}), ...(locale ? { locale } : {}) }).sections.find(
    (s) => s.kind === 'incidents',
  )?.lines ?? [];

describe('an incident in the summary', () => {
  it('is announced once when it opens: target, how many jobs, since when, held, next canary, the cause', () => {
    const report = reportWith(0, incident({ events: ['opened'] }));
    const summary = buildSummary(report);
    expect(summary.sections.find((s) => s.kind === 'incidents')?.lines).toEqual([
      `cn4-prod: 120 jobs failing with one cause since 2026-11-24 07:52; 119 held, next canary 2026-11-24 08:15: ${CAUSE}`,
    ]);
    expect(summary.hasProblem).toBe(true);
    expect(incidentSection(report, undefined, 'zh-CN')).toEqual([
      `cn4-prod：自 2026-11-24 07:52 起 120 个作业因同一原因失败；已暂缓 119 个，下次金丝雀重跑 2026-11-24 08:15：${CAUSE}`,
    ]);
  });

  it('says nothing more while nothing changes, then tells each change: canary failed again, recovered', () => {
    const opened = reportWith(0, incident({ events: ['opened'] }));
    const first = planNotices({ problems: {} }, problemsOf(opened), T, 6 * 60 * MIN);
    const quiet = reportWith(15, incident({ state: 'probing', events: ['canary-sent'], probes: 1 }));
    const second = planNotices(first.next, problemsOf(quiet), T + 15 * MIN, 6 * 60 * MIN);
    expect(incidentSection(quiet, second)).toEqual([]);
    const failed = reportWith(
      30,
      incident({ events: ['canary-failed'], probes: 1, nextProbeAt: '2026-11-24T08:45:00Z' }),
    );
    const third = planNotices(second.next, problemsOf(failed), T + 30 * MIN, 6 * 60 * MIN);
    expect(incidentSection(failed, third)).toEqual([
      `cn4-prod: the canary rerun failed again; 119 held, next canary 2026-11-24 08:45: ${CAUSE}`,
    ]);
    const recovered = reportWith(
      60,
      incident({ state: 'releasing', events: ['recovered', 'released'], held: 109, released: 10 }),
    );
    const fourth = planNotices(third.next, problemsOf(recovered), T + 60 * MIN, 6 * 60 * MIN);
    expect(incidentSection(recovered, fourth)).toEqual([
      `cn4-prod: a canary rerun recovered: the held failures go in batches (10 released, 109 still held): ${CAUSE}`,
    ]);
  });

  it('is resolved once with how long it lasted and how many were released, not as a bare "resolved"', () => {
    const open = reportWith(0, incident({ events: ['opened'] }));
    const before = planNotices({ problems: {} }, problemsOf(open), T, 6 * 60 * MIN);
    const closed = reportWith(
      95,
      incident({
        state: 'closed',
        events: ['released', 'closed'],
        held: 0,
        released: 119,
        closedAt: '2026-11-24T09:35:00Z',
        closedBy: 'recovered',
      }),
    );
    const after = planNotices(before.next, problemsOf(closed), T + 95 * MIN, 6 * 60 * MIN);
    const summary = buildSummary(closed, { notices: after });
    expect(summary.sections.find((s) => s.kind === 'resolved')?.lines).toEqual([
      `cn4-prod: incident over after 1 h 35 min, 119 held failures released: ${CAUSE}`,
    ]);
    expect(
      buildSummary(closed, { notices: after, locale: 'zh-CN' }).sections.find((s) => s.kind === 'resolved')
        ?.lines,
    ).toEqual([`cn4-prod：事件持续 1 小时 35 分钟 后结束，已放行暂缓的 119 个失败：${CAUSE}`]);
  });
});
