import type { NotifyPolicy, NotifySettings } from '../config/schema/notify';
import type { Logger } from '../log';
import type { SweepReport } from '../sweep/report';
import { untilAborted } from '../util/abort';
import type { Sleep } from '../util/time';
import { type Channels, type DeliveryResult, deliver } from './deliver';
import type { NoticeStore } from './notice-store';
import { EMPTY_NOTICES, type NoticePlan, planNotices, showAll } from './notices';
import { problemsOf } from './problems';
import { buildSummary, shouldNotify } from './summary';

export interface NotifySweepInput {
  report: SweepReport;
  policy: NotifyPolicy;
  settings: NotifySettings;
  channels: Channels;
  /** Without a store every problem is shown every time (no de-duplication). */
  store?: NoticeStore | undefined;
  stage?: string;
  /** Where the full report can be read, for "…N more" (default: the logs). */
  fullReport?: string;
  logger: Logger;
  now: () => number;
  deadline: number;
  sleep?: Sleep;
  signal?: AbortSignal;
}

export type NotifyOutcome = { sent: boolean } & Partial<DeliveryResult>;

/**
 * Notifies about one sweep: de-duplicates lasting problems against the notice store,
 * builds the summary, applies the policy, delivers, and stores what was announced
 * once at least one channel has it (an announcement that reached nobody is repeated
 * by the next sweep). A dry run neither reads nor moves the de-duplication state.
 */
export async function notifySweep(input: NotifySweepInput): Promise<NotifyOutcome> {
  const { report, settings, logger } = input;
  const store = bounded(report.dryRun ? undefined : input.store, input);
  const plan = await planFor(report, store, input.now(), settings.remindEveryMs, logger);
  const summary = buildSummary(report, {
    locale: settings.locale,
    timeZone: settings.timeZone,
    notices: plan,
    ...(input.stage ? { stage: input.stage } : {}),
    ...(input.fullReport ? { fullReport: input.fullReport } : {}),
  });
  if (!shouldNotify(input.policy, summary)) return { sent: false };
  const result = await deliver(summary, input.channels, logger, {
    now: input.now,
    deadline: input.deadline,
    ...(input.sleep ? { sleep: input.sleep } : {}),
    ...(input.signal ? { signal: input.signal } : {}),
  });
  const anyChannel = input.channels.webhooks.length > 0 || input.channels.sns !== undefined;
  if (store && (result.delivered.length > 0 || !anyChannel)) {
    await store.write(plan.next).catch((error: unknown) => {
      logger.warn('notice state not saved: the next sweep repeats these announcements', {
        error: error instanceof Error ? error.name : 'Error',
      });
    });
  }
  return { sent: true, ...result };
}

/** The de-duplication state is a nicety: it never holds the summary past a quarter of the time left. */
const STORE_BUDGET_MS = 3_000;

function storeSignal(input: NotifySweepInput): AbortSignal {
  const left = Math.max(0, input.deadline - input.now());
  return AbortSignal.timeout(Math.floor(Math.min(STORE_BUDGET_MS, left / 4)));
}

function bounded(store: NoticeStore | undefined, input: NotifySweepInput): NoticeStore | undefined {
  if (!store) return undefined;
  return {
    read: () => untilAborted(store.read(), storeSignal(input)),
    write: (state) => untilAborted(store.write(state), storeSignal(input)),
  };
}

async function planFor(
  report: SweepReport,
  store: NoticeStore | undefined,
  now: number,
  remindMs: number,
  logger: Logger,
): Promise<NoticePlan> {
  const problems = problemsOf(report);
  if (!store) return showAll(problems, now);
  const state = await store.read().catch((error: unknown) => {
    // Without the state, announcing again beats staying silent about a problem.
    logger.warn('notice state unreadable: every problem is announced', {
      error: error instanceof Error ? error.name : 'Error',
    });
    return EMPTY_NOTICES;
  });
  return planNotices(state, problems, now, remindMs);
}
