import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_NOTIFY_SETTINGS } from '../../lib/config/schema/notify';
import { silentLogger } from '../../lib/log';
import {
  DynamoNoticeStore,
  FileNoticeStore,
  MemoryNoticeStore,
  type NoticeStore,
} from '../../lib/notify/notice-store';
import { type NotifySweepInput, notifySweep } from '../../lib/notify/notify-sweep';
import type { SweepReport } from '../../lib/sweep/report';
import { type ChatServers, startChatServers } from '../support/chat-servers';
import { freshDynamoLedger } from '../support/dynamo';
import { addDownTarget, addStorm, fixedReport } from '../support/fixed-report';
import { chatWebhooks } from './channels';

const DAY0 = Date.UTC(2026, 10, 24, 0, 0, 0);
const MIN = 60_000;
const HOUR = 60 * MIN;

/** A quiet sweep, with the backup target down from 02:00 to 14:00 and a storm from 09:00 to 10:00. */
function reportAt(now: number): SweepReport {
  const report = fixedReport({
    startedAt: new Date(now).toISOString(),
    restarted: [],
    exhausted: [],
    errors: [],
    totals: {},
  });
  const hour = (now - DAY0) / HOUR;
  if (hour >= 2 && hour < 14) addDownTarget(report, { code: 'LIST_FAILED', message: 'gateway timeout' });
  if (hour >= 9 && hour < 10) {
    report.storm = true;
    addStorm(report, 30, 30);
  }
  return report;
}

let servers: ChatServers;
beforeEach(async () => {
  servers = await startChatServers();
});
afterEach(() => servers.close());

/** Notifies the generic webhook of the sweep at `now`, on-problem unless `extra` says otherwise. */
const notifyAt = (store: NoticeStore, now: number, extra: Partial<NotifySweepInput> = {}) =>
  notifySweep({
    report: reportAt(now),
    policy: 'on-problem',
    settings: DEFAULT_NOTIFY_SETTINGS,
    channels: { webhooks: [chatWebhooks(servers.url)[4]!] },
    store,
    logger: silentLogger,
    now: () => now,
    deadline: now + 10_000,
    ...extra,
  });

async function simulateDay(store: NoticeStore, policy: 'on-problem' | 'on-activity' = 'on-problem') {
  const sent: Array<{ at: string; text: string }> = [];
  for (let now = DAY0; now < DAY0 + 24 * HOUR; now += 15 * MIN) {
    const before = servers.received.length;
    await notifyAt(store, now, { policy });
    for (const r of servers.received.slice(before))
      sent.push({ at: new Date(now).toISOString().slice(11, 16), text: String(r.body.text) });
  }
  return sent;
}

describe('de-duplication over a simulated day of 96 sweeps', () => {
  it('announces a problem when it starts, reminds every 6 h, and announces when it clears', async () => {
    const sent = await simulateDay(new MemoryNoticeStore());
    expect(sent.map((s) => s.at)).toEqual(['02:00', '08:00', '09:00', '10:00', '14:00']);
    expect(sent[0]!.text).toContain('cn4-backup: LIST_FAILED: gateway timeout');
    expect(sent[1]!.text).toContain('(still failing, since 2026-11-24 02:00)');
    expect(sent[2]!.text).toContain('Storm suspected');
    expect(sent[2]!.text).not.toContain('cn4-backup');
    expect(sent[3]!.text).toContain('cn4-prod: storm is over (since 2026-11-24 09:00)');
    expect(sent[4]!.text).toContain('cn4-backup: can be swept again (since 2026-11-24 02:00)');
  });

  it('announces again on the next sweep when no channel took the announcement', async () => {
    const store = new MemoryNoticeStore();
    const at = DAY0 + 2 * HOUR;
    const run = (now: number) => notifyAt(store, now, { sleep: async () => {} });
    servers.script('generic', 'reject');
    expect((await run(at)).failed).toHaveLength(1);
    expect((await run(at + 15 * MIN)).delivered).toEqual(['generic#0']);
    expect((await run(at + 30 * MIN)).sent).toBe(false);
  });

  it('still reports restarts and exhausted budgets every time', async () => {
    const store = new MemoryNoticeStore();
    for (const now of [DAY0 + 3 * HOUR, DAY0 + 3 * HOUR + 15 * MIN]) {
      const outcome = await notifyAt(store, now, {
        report: { ...reportAt(now), restarted: fixedReport().restarted },
        policy: 'on-activity',
      });
      expect(outcome.sent).toBe(true);
    }
    const [first, second] = servers.received.map((r) => String(r.body.text));
    expect(first).toContain('cn4-backup');
    expect(second).not.toContain('cn4-backup');
    expect(second).toContain('Restarted (14)');
  });
});

describe.each([
  ['memory', async () => new MemoryNoticeStore()],
  [
    'file',
    async () =>
      new FileNoticeStore(join(await mkdtemp(join(tmpdir(), 'notices-')), 'ledger.json.notices.json')),
  ],
  [
    'dynamodb',
    async () => {
      const { client, table } = await freshDynamoLedger();
      return new DynamoNoticeStore(client, table);
    },
  ],
])('the %s notice store', (_name, make) => {
  it('starts empty and keeps what it was given', async () => {
    const store = await make();
    expect(await store.read()).toEqual({ problems: {} });
    const state = {
      problems: { 'target:x': { kind: 'target' as const, target: 'x', since: 1, lastSentAt: 2 } },
    };
    await store.write(state);
    expect(await store.read()).toEqual(state);
    await store.write({ problems: {} });
    expect(await store.read()).toEqual({ problems: {} });
  });
});
