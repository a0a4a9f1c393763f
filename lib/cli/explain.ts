import { credentialsFromEnv } from '../config/credentials';
import type { Config, TargetConfig } from '../config/types';
import type { Instance, InstanceNode } from '../dataarts/instance';
import { ConfigError, describeError } from '../errors';
import { buildLedger } from '../ledger/build-ledger';
import { type AttemptRecord, keyString, type Ledger, type LedgerEntry } from '../ledger/ledger';
import { causeOf } from '../policy/cause';
import { decide } from '../policy/decide';
import { type Decision, SKIP_REASONS, skip } from '../policy/decision';
import { cutMessage, failedNode, judgeNode, needsNodeDetails } from '../policy/failure-rules';
import { resolveRule } from '../policy/rules';
import { localTimes } from '../render/format-table';
import { REPORT_SCHEMA_VERSION } from '../sweep/report';
import type { TargetApi } from '../sweep/target-input';
import { CLI_MESSAGES, type DecisionFacts } from '../text/cli-messages';
import type { Locale } from '../text/i18n';
import { formatTime } from '../text/time-format';
import { isoTime } from '../util/time';
import { buildTargets } from '../wiring';
import { parseFlags } from './args';
import { displayFor } from './display';
import { EXIT } from './exit-codes';
import type { CliIo } from './io';
import { SELECTOR_FLAGS } from './ledger-view';
import { loadConfig } from './load-config';
import { subcommand } from './subcommand';

/** The outcome of an instance the look-back does not list: explain exits 1 on it. */
const NOT_FOUND = 'not-found';

/** Everything `explain` shows, as one JSON document with --json. */
export interface Explanation {
  schemaVersion: number;
  target: string;
  workspace: string;
  jobName: string;
  instanceId: string;
  /** As the list API shows it within the look-back; absent when it is not there. */
  listed?: Instance;
  failure?: { errorMessage?: string; failedNode?: InstanceNode; detailsError?: string };
  ledger?: { attempts: number; lastOutcome?: string; notBefore?: string; history: ExplainedAttempt[] };
  rule: string;
  /** The open incident of its failure's cause, when there is one (docs/incidents.md). */
  incident?: ExplainedIncident;
  decision: { outcome: string; detail: string; attempt?: number; maxAttempts?: number; until?: string };
}

export interface ExplainedIncident {
  causeKey: string;
  cause: string;
  state: 'open' | 'probing' | 'releasing';
  since: string;
  nextProbeAt?: string;
  canary?: { jobName: string; instanceId: string };
}

interface ExplainedAttempt extends Omit<AttemptRecord, 'at' | 'judgedAt'> {
  attempt: number;
  at: string;
  judgedAt?: string;
}

export interface ExplainInput {
  config: Config;
  target: TargetConfig;
  client: Pick<TargetApi, 'listInstances' | 'getInstance'>;
  ledger: Pick<Ledger, 'read' | 'incidents'>;
  now: number;
  jobName: string;
  instanceId: string;
}

/** The look-back a sweep would list now. */
const windowOf = (input: Pick<ExplainInput, 'config' | 'now'>) => ({
  from: input.now - input.config.policy.lookbackMs,
  to: input.now,
});

/** The instance as a sweep's listing would see it: the job's instances in the look-back, this one. */
async function listed(input: ExplainInput): Promise<Instance | undefined> {
  const result = await input.client.listInstances(windowOf(input), {
    jobName: input.jobName,
    preciseQuery: true,
  });
  return result.instances.find((i) => i.instanceId === input.instanceId && i.jobName === input.jobName);
}

/** An instance a sweep would not see: where it was looked for, and whether DataArts knows it at all. */
function notFound(input: ExplainInput, detailsError: string | undefined): Explanation['decision'] {
  const { from, to } = windowOf(input);
  const known =
    detailsError === 'INSTANCE_NOT_FOUND'
      ? 'DataArts does not know it'
      : 'DataArts knows it: it is outside that window';
  return {
    outcome: NOT_FOUND,
    detail: `instance ${input.instanceId} of job ${input.jobName} is not listed on target ${input.target.name} from ${isoTime(from)} to ${isoTime(to)} (policy.lookback); ${known}`,
  };
}

function history(entry: LedgerEntry | undefined): Explanation['ledger'] {
  if (!entry) return undefined;
  const attempts = Object.entries(entry.outcomes)
    .map(
      ([n, { at, judgedAt, ...r }]): ExplainedAttempt => ({
        attempt: Number(n),
        ...r,
        at: isoTime(at),
        ...(judgedAt === undefined ? {} : { judgedAt: isoTime(judgedAt) }),
      }),
    )
    .sort((a, b) => a.attempt - b.attempt);
  // A claimed attempt has no outcome record until it is settled.
  if (entry.lastOutcome === 'in-flight' && entry.lastAttemptAt !== undefined)
    attempts.push({ attempt: entry.attempts, at: isoTime(entry.lastAttemptAt), outcome: 'in-flight' });
  return {
    attempts: entry.attempts,
    ...(entry.lastOutcome ? { lastOutcome: entry.lastOutcome } : {}),
    ...(entry.notBefore === undefined ? {} : { notBefore: isoTime(entry.notBefore) }),
    history: attempts,
  };
}

function shown(decision: Decision): Explanation['decision'] {
  if (decision.action === 'restart')
    return {
      outcome: 'restart',
      detail: `would restart: attempt ${decision.attempt} of ${decision.maxAttempts}`,
      attempt: decision.attempt,
      maxAttempts: decision.maxAttempts,
    };
  return {
    outcome: decision.reason,
    detail: decision.detail,
    ...(decision.attempt === undefined ? {} : { attempt: decision.attempt }),
    ...(decision.maxAttempts === undefined ? {} : { maxAttempts: decision.maxAttempts }),
    ...(decision.until === undefined ? {} : { until: isoTime(decision.until) }),
  };
}

/**
 * Explains one instance with the sweep's own pure decision (and node rules), from one
 * listing of its job, one show (its failed node) and one ledger read. Never writes.
 */
export async function explainInstance(input: ExplainInput): Promise<Explanation> {
  const { config, target, jobName, instanceId } = input;
  const key = { target: target.name, workspace: target.workspace ?? 'default', jobName, instanceId };
  const rule = resolveRule(jobName, config.policy);
  const [instance, entries] = await Promise.all([listed(input), input.ledger.read([key])]);
  const entry = entries.get(keyString(key));
  const failure: NonNullable<Explanation['failure']> = {};
  if (instance?.errorMessage) failure.errorMessage = cutMessage(instance.errorMessage);
  let node: InstanceNode | undefined;
  try {
    node = failedNode(await input.client.getInstance(jobName, instanceId));
    if (node) failure.failedNode = node;
  } catch (error) {
    failure.detailsError = describeError(error).code;
  }
  const ledger = history(entry);
  const incident = instance ? await incidentOf(input, instance) : undefined;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    ...key,
    ...(instance ? { listed: instance } : {}),
    ...(Object.keys(failure).length > 0 ? { failure } : {}),
    ...(ledger ? { ledger } : {}),
    rule: rule.name,
    ...(incident ? { incident } : {}),
    decision: instance
      ? shown(held(decisionNow(instance, entry, rule, node, input), incident, instance))
      : notFound(input, failure.detailsError),
  };
}

/** The incident its failure's cause has open on the target, read from the board (none when incidents are off). */
async function incidentOf(input: ExplainInput, instance: Instance): Promise<ExplainedIncident | undefined> {
  const settings = input.config.policy.incidents;
  if (!settings.enabled || !input.ledger.incidents || !instance.errorMessage) return undefined;
  const cause = causeOf({ errorMessage: instance.errorMessage }, settings.causes);
  if (!cause) return undefined;
  const found = (await input.ledger.incidents.board(input.target.name)).incidents[cause.key];
  if (!found || found.state === 'closed') return undefined;
  return {
    causeKey: found.causeKey,
    cause: found.causeText,
    state: found.state,
    since: isoTime(found.since),
    ...(found.state === 'releasing' ? {} : { nextProbeAt: isoTime(found.nextProbeAt) }),
    ...(found.canary
      ? { canary: { jobName: found.canary.jobName, instanceId: found.canary.instanceId } }
      : {}),
  };
}

/** While its cause is open or probed, a failure a sweep would restart is held, unless it is the canary. */
function held(decision: Decision, incident: ExplainedIncident | undefined, instance: Instance): Decision {
  if (decision.action !== 'restart' || !incident || incident.state === 'releasing') return decision;
  const canary = incident.canary;
  if (canary && canary.jobName === instance.jobName && canary.instanceId === instance.instanceId)
    return decision;
  const { attempt, maxAttempts, rule } = decision;
  return skip('held-by-incident', SKIP_REASONS['held-by-incident'], { attempt, maxAttempts, rule });
}

/** The sweep's own decision for a listed instance, with the node rules it applies before restarting. */
function decisionNow(
  instance: Instance,
  entry: LedgerEntry | undefined,
  rule: ReturnType<typeof resolveRule>,
  node: InstanceNode | undefined,
  input: ExplainInput,
): Decision {
  const decision = decide(instance, entry, rule, input.now, { policy: input.config.policy });
  const verdict = decision.action === 'restart' && needsNodeDetails(rule) ? judgeNode(node, rule) : undefined;
  if (!verdict || verdict.retry) return decision;
  return { action: 'skip', reason: 'non-retryable-failure', detail: verdict.detail ?? '', rule: rule.name };
}

/** How `explain` shows itself: the display's language and zone, and the window it looked in. */
export interface ExplainDisplay {
  locale?: Locale;
  timeZone?: string;
  /** The look-back searched (epoch ms): an instance not found is said to be outside it. */
  window?: { from: number; to: number };
}

/**
 * The explanation for a person: one short block per part, in the display's language,
 * its times in `timeZone` (display.timeZone; the JSON keeps ISO UTC and English).
 */
export function formatExplanation(e: Explanation, display: ExplainDisplay = {}): string {
  const locale = display.locale ?? 'en';
  const timeZone = display.timeZone ?? 'UTC';
  const m = CLI_MESSAGES[locale].explain;
  const at = (time: number | string) =>
    formatTime(typeof time === 'number' ? time : Date.parse(time), timeZone);
  const lines = [m.place(e.target, e.workspace, e.jobName, e.instanceId)];
  const l = e.listed;
  lines.push(
    l
      ? m.listed({
          status: l.status,
          ...(l.instanceType === undefined ? {} : { type: l.instanceType }),
          ...(l.startTime === undefined ? {} : { started: at(l.startTime) }),
          ...(l.endTime === undefined ? {} : { ended: at(l.endTime) }),
        })
      : m.notListed,
  );
  const f = e.failure;
  lines.push(
    m.failure({
      ...(f?.errorMessage === undefined ? {} : { message: f.errorMessage }),
      ...(f?.failedNode
        ? { node: { name: f.failedNode.nodeName, ...(f.failedNode.type ? { type: f.failedNode.type } : {}) } }
        : {}),
      ...(f?.detailsError === undefined ? {} : { detailsError: f.detailsError }),
    }),
  );
  if (e.incident) {
    const i = e.incident;
    lines.push(
      m.incident({
        cause: i.cause,
        key: i.causeKey,
        state: CLI_MESSAGES[locale].incidentState(i.state),
        since: at(i.since),
        ...(i.nextProbeAt ? { nextProbe: at(i.nextProbeAt) } : {}),
      }),
    );
  }
  if (!e.ledger) lines.push(m.noLedger);
  else {
    lines.push(m.ledger(e.ledger.attempts, e.ledger.notBefore ? at(e.ledger.notBefore) : undefined));
    for (const a of e.ledger.history)
      lines.push(m.attempt(a.attempt, at(a.at), a.outcome, a.code, a.recovery));
  }
  const d = e.decision;
  lines.push(
    m.decision(
      d.outcome,
      localTimes(reasonOf(e, display), { timeZone, locale }),
      e.rule,
      d.attempt,
      d.maxAttempts,
    ),
  );
  return `${lines.join('\n')}\n`;
}

/** The decision's reason in the display's language: from its fields, or where it was looked for. */
function reasonOf(e: Explanation, display: ExplainDisplay): string {
  const d = e.decision;
  const words = CLI_MESSAGES[display.locale ?? 'en'];
  if (d.outcome !== NOT_FOUND || !display.window)
    return words.why({
      ...d,
      outcome: d.outcome as DecisionFacts['outcome'],
      ...(e.listed ? { status: e.listed.status } : {}),
      rule: e.rule,
    });
  return words.explain.notFound({
    instanceId: e.instanceId,
    jobName: e.jobName,
    target: e.target,
    from: isoTime(display.window.from),
    to: isoTime(display.window.to),
    known: e.failure?.detailsError !== 'INSTANCE_NOT_FOUND',
  });
}

function pickTarget(config: Config, name: string | undefined): TargetConfig {
  if (name === undefined && config.targets.length === 1) return config.targets[0] as TargetConfig;
  const found = config.targets.find((t) => t.name === name);
  if (!found)
    throw new ConfigError(
      '--target',
      `must name one of ${config.targets.map((t) => t.name).join(', ')}, got ${name ?? 'nothing'}`,
    );
  return found;
}

async function explain(argv: readonly string[], io: CliIo): Promise<number> {
  // Not parseSelectorArgs: explain needs both --job and --instance, checked before the config is read.
  const v = parseFlags(argv, SELECTOR_FLAGS);
  if (typeof v.config !== 'string')
    throw new ConfigError('--config', 'is required (a JSON configuration file)');
  if (typeof v.job !== 'string') throw new ConfigError('--job', 'is required (the job name)');
  if (typeof v.instance !== 'string' || !/^\d{1,25}$/.test(v.instance))
    throw new ConfigError(
      '--instance',
      `must be an instance id (digits), got ${String(v.instance ?? 'nothing')}`,
    );
  const config = await loadConfig(v.config);
  const target = pickTarget(config, typeof v.target === 'string' ? v.target : undefined);
  const clock = { now: io.now };
  const built = buildTargets(
    { ...config, targets: [target] },
    credentialsFromEnv(io.env as NodeJS.ProcessEnv),
    clock,
  );
  const client = built[0]?.client as TargetApi;
  const explanation = await explainInstance({
    config,
    target,
    client,
    ledger: buildLedger(config.ledger),
    now: io.now(),
    jobName: v.job,
    instanceId: v.instance,
  });
  const display = { ...displayFor(config.display, io.env), window: windowOf({ config, now: io.now() }) };
  io.stdout.write(
    v.json ? `${JSON.stringify(explanation, null, 2)}\n` : formatExplanation(explanation, display),
  );
  // A script asking about an instance must not read "not found" as an answer.
  return explanation.decision.outcome === NOT_FOUND ? EXIT.FAILED : EXIT.OK;
}

export const explainCommand = subcommand('explain', explain);
