import { parseConfig } from '../../lib/config/parse';
import type { Incident } from '../../lib/ledger/ledger-incidents';
import {
  type CauseGroup,
  closeByHand,
  type Member,
  probeInterval,
  stepIncident,
  stillKept,
} from '../../lib/policy/incident';

const MIN = 60_000;
const NOW = Date.UTC(2026, 11, 8, 8, 0, 0);
const settings = parseConfig({
  targets: [{ name: 't', endpoint: 'https://dayu-dlf.cn-north-4.myhuaweicloud.com', projectId: 'p' }],
  ledger: { type: 'file', path: '/unused' },
}).policy.incidents;
const cause = { key: 'abcdef0123456789', text: 'queue <v> unavailable' };

const member = (job: number, minutesAgo: number, waiting = true): Member => ({
  jobName: `job_${job}`,
  failedAt: NOW - minutesAgo * MIN,
  waiting,
});
const group = (members: Member[], unseen = 0): CauseGroup<Member> => ({ cause, members, unseen });
const jobs = (n: number, minutesAgo = 10, waiting = true) =>
  Array.from({ length: n }, (_, i) => member(i, minutesAgo + i / 10, waiting));

function incident(over: Partial<Incident> = {}): Incident {
  return {
    causeKey: cause.key,
    causeText: cause.text,
    state: 'open',
    openedAt: NOW - 20 * MIN,
    since: NOW - 30 * MIN,
    jobs: 8,
    probes: 0,
    nextProbeAt: NOW - 5 * MIN,
    batches: 0,
    released: 0,
    held: 8,
    updatedAt: NOW - 20 * MIN,
    ...over,
  };
}

describe('the breaker of one cause (stepIncident)', () => {
  describe('closed', () => {
    it.each([
      [4, 10, false],
      [5, 10, true],
      [5, 31, false],
    ])('%d distinct jobs that failed %d min ago open an incident: %s', (n, minutesAgo, opens) => {
      const step = stepIncident(undefined, group(jobs(n, minutesAgo)), undefined, NOW, settings);
      expect(step.events).toEqual(opens ? ['opened'] : []);
      expect(step.hold).toBe(opens);
      expect(step.go).toHaveLength(opens ? 0 : n);
    });

    it('counts a failure that ended exactly window ago, and opens holding all: none goes, no canary', () => {
      const edge = jobs(5).map((m, i) => (i === 0 ? { ...m, failedAt: NOW - 30 * MIN } : m));
      expect(stepIncident(undefined, group(edge), undefined, NOW, settings)).toMatchObject({
        events: ['opened'],
        go: [],
        canary: false,
        hold: true,
      });
      const none = stepIncident(undefined, group(jobs(2)), undefined, NOW, settings);
      expect(none).toMatchObject({ next: undefined, events: [], canary: false, hold: false });
    });

    it('counts distinct jobs, not failures: five failures of two jobs open nothing', () => {
      const members = [member(1, 5), member(1, 6), member(2, 5), member(2, 6), member(2, 7)];
      expect(stepIncident(undefined, group(members), undefined, NOW, settings).events).toEqual([]);
    });

    it('opens with the first probe probe.first away, the oldest failure as since, every member held', () => {
      const step = stepIncident(undefined, group(jobs(6, 10)), undefined, NOW, settings);
      expect(step.next).toMatchObject({
        state: 'open',
        openedAt: NOW,
        nextProbeAt: NOW + 15 * MIN,
        jobs: 6,
        since: NOW - 10.5 * MIN,
      });
    });

    it("a closed incident's own failures do not open it again; failures after it closed do", () => {
      const closed = incident({ state: 'closed', closedAt: NOW - 2 * MIN, closedBy: 'recovered' });
      expect(stepIncident(closed, group(jobs(6, 10)), undefined, NOW, settings).events).toEqual([]);
      expect(stepIncident(closed, group(jobs(6, 1)), undefined, NOW, settings).events).toEqual(['opened']);
    });
  });

  describe('open and probing', () => {
    it('holds everything until the probe is due, then names the oldest waiting failures as canary candidates', () => {
      const early = stepIncident(
        incident({ nextProbeAt: NOW + MIN }),
        group(jobs(8)),
        undefined,
        NOW,
        settings,
      );
      expect(early).toMatchObject({ events: [], go: [], hold: true, canary: false });
      const members = [member(1, 3), member(2, 9, false), member(3, 7), member(4, 5)];
      const due = stepIncident(incident(), group(members), undefined, NOW, settings);
      expect(due.events).toEqual(['canary-sent']);
      expect(due.canary).toBe(true);
      expect(due.go.map((m) => m.jobName)).toEqual(['job_3', 'job_4', 'job_1']);
      expect(due.next).toMatchObject({ state: 'probing', probes: 1, nextProbeAt: NOW + 30 * MIN });
      expect(due.withoutCanary?.next).toMatchObject({ state: 'open', probes: 0 });
    });

    it('sends no canary when no failure is waiting (all backing off)', () => {
      const step = stepIncident(incident(), group(jobs(8, 10, false)), undefined, NOW, settings);
      expect(step).toMatchObject({ events: [], go: [], canary: false, hold: true });
    });

    it.each([
      ['pending', []],
      ['failed-again', ['canary-failed']],
      ['void', ['canary-void']],
    ] as const)('a probing canary %s: %j, and no new canary before its probe', (verdict, events) => {
      const probing = incident({ state: 'probing', probes: 1, nextProbeAt: NOW + 10 * MIN });
      const step = stepIncident(probing, group(jobs(8)), verdict, NOW, settings);
      expect(step.events).toEqual(events);
      expect(step.go).toEqual([]);
      expect(step.next?.state).toBe(verdict === 'pending' ? 'probing' : 'open');
    });

    it('a failed canary whose next probe is due sends the next canary in the same sweep', () => {
      const probing = incident({ state: 'probing', probes: 1, nextProbeAt: NOW });
      const step = stepIncident(probing, group(jobs(8)), 'failed-again', NOW, settings);
      expect(step.events).toEqual(['canary-failed', 'canary-sent']);
      expect(step.next).toMatchObject({ probes: 2, nextProbeAt: NOW + 30 * MIN });
    });

    it('a canary still running probe.max past its probe no longer blocks the next one', () => {
      const stale = incident({ state: 'probing', probes: 1, nextProbeAt: NOW - 30 * MIN });
      expect(stepIncident(stale, group(jobs(8)), 'pending', NOW, settings).events).toEqual([
        'canary-void',
        'canary-sent',
      ]);
      const running = incident({ state: 'probing', probes: 1, nextProbeAt: NOW - 29 * MIN });
      expect(stepIncident(running, group(jobs(8)), 'pending', NOW, settings).events).toEqual([]);
    });

    it('probe intervals: probe.first after the opening, then doubling to probe.max', () => {
      expect([0, 1, 2, 3, 10].map((n) => probeInterval(n, settings) / MIN)).toEqual([15, 30, 30, 30, 30]);
      const wide = { ...settings, probe: { firstMs: 10 * MIN, maxMs: 60 * MIN } };
      expect([0, 1, 2, 3, 4].map((n) => probeInterval(n, wide) / MIN)).toEqual([10, 20, 40, 60, 60]);
    });

    it('clears when no failure of its cause is left, but not while a subset sweep cannot see some', () => {
      expect(stepIncident(incident(), group([]), undefined, NOW, settings)).toMatchObject({
        events: ['cleared'],
        next: { state: 'closed', closedBy: 'cleared', closedAt: NOW },
        go: [],
        canary: false,
        hold: false,
      });
      expect(stepIncident(incident(), group([], 3), undefined, NOW, settings).events).toEqual(
        ['canary-sent'].slice(0, 0),
      );
    });
  });

  describe('releasing', () => {
    it('a recovered canary starts the release: the oldest release.first go in the same sweep', () => {
      const probing = incident({ state: 'probing', probes: 2 });
      const step = stepIncident(probing, group(jobs(40)), 'recovered', NOW, settings);
      expect(step.events).toEqual(['recovered', 'released']);
      expect(step.go).toHaveLength(25);
      expect(step.go.map((m) => m.jobName)).toEqual(
        jobs(40)
          .slice(-25)
          .reverse()
          .map((m) => m.jobName),
      );
      expect(step.next).toMatchObject({
        state: 'releasing',
        releasingSince: NOW,
        batches: 1,
        released: 25,
        nextReleaseAt: NOW + 10 * MIN,
      });
    });

    it('each batch doubles the one before, at most one per release.every, and the last one closes it', () => {
      const releasing = incident({
        state: 'releasing',
        releasingSince: NOW - 15 * MIN,
        batches: 1,
        released: 25,
        nextReleaseAt: NOW + MIN,
      });
      expect(stepIncident(releasing, group(jobs(80, 40)), undefined, NOW, settings)).toMatchObject({
        events: [],
        go: [],
      });
      const due = { ...releasing, nextReleaseAt: NOW };
      const second = stepIncident(due, group(jobs(80, 40)), undefined, NOW, settings);
      expect(second.go).toHaveLength(50);
      expect(second.next).toMatchObject({ state: 'releasing', batches: 2, released: 75 });
      const last = stepIncident(due, group(jobs(50, 40)), undefined, NOW, settings);
      expect(last.events).toEqual(['released', 'closed']);
      expect(last.next).toMatchObject({ state: 'closed', closedBy: 'recovered', released: 75 });
    });

    it('a failure at the very time the release began is not a relapse', () => {
      const releasing = incident({
        state: 'releasing',
        releasingSince: NOW - 10 * MIN,
        batches: 1,
        released: 25,
      });
      const atStart = jobs(5).map((m) => ({ ...m, failedAt: NOW - 10 * MIN }));
      expect(stepIncident(releasing, group(atStart), undefined, NOW, settings).events).not.toContain(
        'relapsed',
      );
    });

    it('waits for release.every between batches, holding all; a batch goes with nothing else', () => {
      const releasing = incident({
        state: 'releasing',
        releasingSince: NOW - 30 * MIN,
        batches: 1,
        nextReleaseAt: NOW + MIN,
      });
      expect(stepIncident(releasing, group(jobs(3, 40)), undefined, NOW, settings)).toMatchObject({
        events: [],
        go: [],
        canary: false,
        hold: true,
      });
      const due = stepIncident(
        { ...releasing, nextReleaseAt: NOW },
        group(jobs(80, 40)),
        undefined,
        NOW,
        settings,
      );
      expect(due).toMatchObject({ events: ['released'], canary: false, hold: true });
      const last = stepIncident(
        { ...releasing, nextReleaseAt: NOW },
        group(jobs(3, 40)),
        undefined,
        NOW,
        settings,
      );
      expect(last).toMatchObject({ events: ['released', 'closed'], canary: false, hold: true });
    });

    it('only failures waiting for their retry are released; one backing off stays for a later batch', () => {
      const releasing = incident({ state: 'releasing', releasingSince: NOW - 30 * MIN, batches: 0 });
      const members = [...jobs(2, 40), member(9, 45, false)];
      const step = stepIncident(releasing, group(members), undefined, NOW, settings);
      expect(step.go.map((m) => m.jobName)).toEqual(['job_1', 'job_0']);
      expect(step.events).toEqual(['released', 'closed']);
      const none = stepIncident(releasing, group([member(9, 45, false)], 1), undefined, NOW, settings);
      expect(none).toMatchObject({ events: [], go: [], hold: true, next: releasing });
    });

    it('a batch takes at most the room the caps leave; none left: it waits, holding all', () => {
      const releasing = incident({ state: 'releasing', releasingSince: NOW - 30 * MIN, batches: 2 });
      const step = stepIncident(releasing, { ...group(jobs(80, 40)), room: 7 }, undefined, NOW, settings);
      expect(step.go).toHaveLength(7);
      expect(step.next).toMatchObject({ batches: 3, released: 7 });
      const none = stepIncident(releasing, { ...group(jobs(80, 40)), room: 0 }, undefined, NOW, settings);
      expect(none).toMatchObject({ events: [], go: [], hold: true, next: releasing });
    });

    it('opens again when minJobs jobs fail with the cause after the release began', () => {
      const releasing = incident({
        state: 'releasing',
        releasingSince: NOW - 10 * MIN,
        batches: 1,
        released: 25,
      });
      const step = stepIncident(releasing, group(jobs(5, 5)), undefined, NOW, settings);
      expect(step).toMatchObject({ events: ['relapsed'], go: [], canary: false, hold: true });
      expect(step.next).toMatchObject({ state: 'open', probes: 0, nextProbeAt: NOW + 15 * MIN });
      expect(step.next?.releasingSince).toBeUndefined();
      expect(stepIncident(releasing, group(jobs(4, 5)), undefined, NOW, settings).events).toEqual([
        'released',
        'closed',
      ]);
    });

    it('does not close while a subset sweep cannot see some of its failures', () => {
      const releasing = incident({
        state: 'releasing',
        releasingSince: NOW - 30 * MIN,
        batches: 1,
        released: 25,
      });
      expect(stepIncident(releasing, group(jobs(3, 40), 2), undefined, NOW, settings).next?.state).toBe(
        'releasing',
      );
    });
  });

  it('closing by hand keeps the reason; closed incidents are kept for keepMs', () => {
    const closed = closeByHand(incident(), 'queue resized', NOW);
    expect(closed).toMatchObject({
      state: 'closed',
      closedBy: 'operator',
      reason: 'queue resized',
      closedAt: NOW,
      held: 0,
    });
    expect(stillKept(closed, NOW + 6 * 86_400_000, 7 * 86_400_000)).toBe(true);
    expect(stillKept(closed, NOW + 7 * 86_400_000, 7 * 86_400_000)).toBe(false);
    expect(stillKept(incident(), NOW + 70 * 86_400_000, 7 * 86_400_000)).toBe(true);
    expect(closed.memberJobs).toBeUndefined();
    expect(closeByHand(incident({ memberJobs: ['0a1b2c3d'] }), 'x', NOW).memberJobs).toBeUndefined();
  });
});
