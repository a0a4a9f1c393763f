import { DEFAULT_DEADLINE } from '../cli/args';
import type { EXIT } from '../cli/exit-codes';
import type { Outcome } from '../policy/decision';
import { zhCN } from './cli-messages.zh-CN';
import type { Locale } from './i18n';

/**
 * Every word the command line shows a person, per locale: the table, the commands'
 * output, the errors and every `--help`. The Chinese edition (cli-messages.zh-CN.ts)
 * is an object of the same interface, so a word missing there does not compile.
 * JSON output never comes from here: its codes and details are the same in every locale.
 */

/** What a decision says about itself, as the report and `explain` keep it. */
export interface DecisionFacts {
  /** An outcome of the report, or `restart` / `not-found` (explain). */
  outcome: Outcome | 'restart' | 'not-found';
  /** The sweep's own sentence (English): shown as is in English. */
  detail: string;
  status?: string;
  rule?: string;
  attempt?: number;
  maxAttempts?: number;
  /** ISO time (backing-off): shown in the display's zone by the caller. */
  until?: string;
}

/** What a storm verdict counted (the report's `targets[].storm`). */
export interface StormFacts {
  failedJobs: number;
  failedInstances: number;
  totalInstances?: number;
  reason?: string;
}

/** Where `explain` looked for an instance it did not find. */
export interface NotFoundFacts {
  instanceId: string;
  jobName: string;
  target: string;
  from: string;
  to: string;
  known: boolean;
}

/** What the progress line counts. */
export interface ProgressFacts {
  listed: number;
  restarted: number;
  inFlight: number;
  failed: number;
  /** Restarts per second, as shown (`9.8`). */
  rate: string;
  /** Seconds left at that rate, when there is work left. */
  eta?: number;
  seconds: number;
}

/** The first five of a list, then `...`. */
export const firstFive = (items: readonly string[]) =>
  `${items.slice(0, 5).join(', ')}${items.length > 5 ? ', ...' : ''}`;

type ExitName = keyof typeof EXIT;

/** One command's help: its summary line, its usage text, what each of its exit statuses means. */
export interface CommandHelp<E extends ExitName> {
  summary: string;
  usage: string;
  exits: Record<E, string>;
}

export interface CliHelp {
  /** The top-level help before the command list, and the list's heading. */
  top: string;
  commands: string;
  exitStatus: string;
  sweep: CommandHelp<
    | 'OK'
    | 'FAILED'
    | 'USAGE'
    | 'AUTH_EVERYWHERE'
    | 'TARGET_FAILED'
    | 'NOTIFY_FAILED'
    | 'INTERRUPTED'
    | 'TERMINATED'
  >;
  history: CommandHelp<'OK' | 'FAILED' | 'USAGE'>;
  incidents: CommandHelp<'OK' | 'FAILED' | 'USAGE'>;
  explain: CommandHelp<'OK' | 'FAILED' | 'USAGE' | 'AUTH_EVERYWHERE'>;
  reset: CommandHelp<'OK' | 'FAILED' | 'USAGE'>;
  init: CommandHelp<'OK' | 'FAILED' | 'USAGE'>;
  validate: CommandHelp<'OK' | 'FAILED' | 'USAGE'>;
  notify: CommandHelp<'OK' | 'FAILED' | 'USAGE' | 'NOTIFY_FAILED'>;
}

/** The comments of the `init` template, one per place (lines joined by `\n`). */
export interface TemplateComments {
  header: string;
  targets: string;
  name: string;
  endpoint: string;
  projectId: string;
  workspace: string;
  iamEndpoint: string;
  ledger: string;
  lock: string;
  retention: string;
  lookback: string;
  jobs: string;
  statuses: string;
  instanceTypes: string;
  maxAttempts: string;
  firstRetryDelay: string;
  backoff: string;
  skipSuperseded: string;
  failureRules: string;
  nodeTypes: string;
  rules: string;
  caps: string;
  stormGuard: string;
  incidents: string;
  concurrency: string;
  client: string;
  paging: string;
  window: string;
  restartLag: string;
  notify: string;
  display: string;
}

export interface CliMessages {
  // The sweep's table.
  title(sweep: string, at: string): string;
  dryRunBanner: string;
  targetHeaders: readonly string[];
  decisionHeaders: readonly string[];
  wouldRestart(n: number): string;
  stormCell(suspected: boolean): string;
  foldedJobs(n: number): string;
  listEach: string;
  took(counts: string, ms: number): string;
  noOutcome: string;
  /** Between the parts of a line. */
  comma: string;
  ledgerLine(name: string): string;
  ledgerFile(path: string): string;
  ledgerTable(table: string): string;
  /** The table's and explain's reason for a decision. */
  why(d: DecisionFacts): string;
  /** Why a storm is suspected on a target. */
  storm(s: StormFacts): string;
  // history
  historyHeaders: readonly string[];
  /** A ledger attempt's outcome (`restarted`, `in-flight`…) or what became of its rerun. */
  attemptOutcome(outcome: string): string;
  resetEvent: string;
  resetBy(by: string, reason: string): string;
  noEntry: string;
  // incidents
  incidentHeaders: readonly string[];
  /** An incident's state (`open`, `probing`, `releasing`, `closed`), and how a closed one ended. */
  incidentState(state: string, closedBy?: string): string;
  noIncident(closedToo: boolean): string;
  incidentClosed(target: string, key: string, cause: string): string;
  noOpenIncident(key: string, target: string): string;
  // reset
  nothingToReset: string;
  resetDone(place: string, cleared: number, dryRun: boolean): string;
  resetRefused(place: string, reason: string): string;
  // validate and init
  valid(path: string, targets: readonly string[], ledger: string): string;
  wrote(path: string, shown: string): string;
  template: TemplateComments;
  // explain
  explain: {
    place(target: string, workspace: string, job: string, instance: string): string;
    listed(parts: { status: string; type?: number; started?: string; ended?: string }): string;
    notListed: string;
    failure(parts: {
      message?: string;
      node?: { name: string; type?: string };
      detailsError?: string;
    }): string;
    noLedger: string;
    ledger(attempts: number, notBefore?: string): string;
    attempt(n: number, at: string, outcome: string, code?: string, recovery?: string): string;
    decision(outcome: string, why: string, rule: string, attempt?: number, maxAttempts?: number): string;
    notFound(f: NotFoundFacts): string;
    /** The open incident of its cause: its state, since when, the next canary. */
    incident(p: { cause: string; key: string; state: string; since: string; nextProbe?: string }): string;
  };
  /** The progress line on a terminal: `listed 540 · restarted 120 (4 in flight) · 9.8/s · ETA ≤ 43 s · 12 s`. */
  progress(p: ProgressFacts): string;
  /** What Ctrl-C, SIGTERM or the --deadline says on stderr as it stops a sweep. */
  interrupt: {
    again(signal: string): string;
    interrupted(signal: string): string;
    quitHint(signal: string): string;
    deadlinePassed(deadline: string): string;
    nothingInFlight: string;
    waiting(seconds: number, inFlight: readonly string[]): string;
    stopped(what: string, waiting: string, hint?: string): string;
  };
  /** What `notify test` says of each channel. */
  notifyTest: {
    noWebhooks: string;
    ok(channel: string): string;
    failed(channel: string, code: string, message: string, attempts: number): string;
  };
  // Errors and exit reasons on stderr.
  invalid(field: string, problem: string): string;
  /** A configuration or argument problem (English, as the JSON keeps it) in this locale. */
  problem(text: string): string;
  authEverywhere(message: string): string;
  targetsFailed(failed: number, total: number, list: string): string;
  notificationFailed(channel: string, code: string, message: string): string;
  help: CliHelp;
}

/** `attempt 2/3`, where a decision names its attempt. */
const budgetOf = (d: { attempt?: number; maxAttempts?: number }) =>
  d.maxAttempts === undefined ? '' : ` [attempt ${d.attempt}/${d.maxAttempts}]`;

const SWEEP_USAGE = `Usage: dataarts-autoretry [sweep] --config <file.json> [options]

Reruns failed DataArts Factory job instances that policy allows, once per sweep.

Options:
  -c, --config <file>        configuration file (JSON, // comments allowed; see config.schema.json)
      --dry-run              decide and explain, but restart nothing and record nothing
      --json                 print exactly one JSON SweepReport on stdout (logs go to stderr)
      --job <glob>           only jobs matching this glob (repeatable; replaces policy.jobs)
      --lookback <duration>  how far back to look, e.g. 6h, 2d (replaces policy.lookback)
      --ignore-storm-guard   restart even if a storm is suspected (a one-off sweep; reported)
      --deadline <duration>  how long the sweep may run, e.g. 5m (default ${DEFAULT_DEADLINE}): no
                             restart starts that could outlast it; what is left is reported deferred
      --notify[=<policy>]    send the sweep's summary to the webhooks of --secret-file;
                             policy always, on-activity (default) or on-problem
      --secret-file <file>   JSON shaped like the Lambda's secret; only "webhooks" is read
      --all                  every decision in the report (default: the first 50 of each
                             outcome per target) and one table row per instance
      --verbose              log every decision to stderr
  -h, --help                 show this help
  -V, --version              print the version

On a terminal: progress on stderr, colour (NO_COLOR turns it off), a table cut to the
terminal's width, times in display.timeZone. Piped output is plain and stable.
Ctrl-C stops new restarts, waits briefly for those in flight and prints the partial report
(exit 130; SIGTERM: 143).

Credentials (environment):
  HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK [, HUAWEICLOUD_SDK_SECURITY_TOKEN]
  or HUAWEICLOUD_IAM_USER, HUAWEICLOUD_IAM_PASSWORD, HUAWEICLOUD_IAM_DOMAIN [, HUAWEICLOUD_IAM_ENDPOINT]
`;

const UNEXPECTED = 'an unexpected failure';

const enHelp: CliHelp = {
  top: `Usage: dataarts-autoretry --config <file.json> [options]     (a sweep: the default command)
       dataarts-autoretry <command> [options]
       dataarts-autoretry <command> --help | --version`,
  commands: 'Commands:',
  exitStatus: 'Exit status:',
  sweep: {
    summary: 'list failed instances and restart those policy allows (the default)',
    usage: SWEEP_USAGE,
    exits: {
      OK: 'done; every target was swept (per-instance errors are in the report)',
      FAILED: UNEXPECTED,
      USAGE: 'bad arguments, configuration or credentials; nothing was restarted',
      AUTH_EVERYWHERE: 'authentication failed on every target',
      TARGET_FAILED:
        'at least one target could not be swept (listing, ledger or authentication failed on it)',
      NOTIFY_FAILED: 'the sweep ran but a notification channel failed',
      INTERRUPTED: 'interrupted by Ctrl-C (SIGINT); the partial report was printed',
      TERMINATED: 'stopped by SIGTERM; the partial report was printed',
    },
  },
  history: {
    summary: "the ledger's attempts and resets of a target, job or instance",
    usage: `Usage: dataarts-autoretry history --config <file.json> [--target NAME] [--job NAME] [--instance ID] [--json]

Shows the ledger's record of the selected instances (at least one selector; all given
must match): every attempt with its time, outcome and DLF code, and every reset with
who and why, newest first. Times in display.timeZone. Works on both ledgers; the
DynamoDB ledger needs dynamodb:Scan on its table (see docs/ledger.md).
-c is short for --config, -h for --help.
`,
    exits: {
      OK: 'shown (also when no ledger entry matches)',
      FAILED: `${UNEXPECTED} (e.g. the ledger could not be read)`,
      USAGE: 'bad arguments or configuration',
    },
  },
  incidents: {
    summary: 'the open incidents (one cause across many jobs, held and probed), and closing one by hand',
    usage: `Usage: dataarts-autoretry incidents --config <file.json> [--target NAME] [--closed] [--json]
       dataarts-autoretry incidents close <cause-key> --config <file.json> --target NAME --reason TEXT [--json]

Lists the open incidents of every target (or one): failures of one cause across many
jobs, held while one canary rerun at a time probes the cause. Each row names its cause
key, state, since when, how many jobs, how many failures are held and when the next
canary goes. --closed adds the incidents closed in the last 7 days (or the look-back).

close: an operator's word that the cause is gone. The incident closes (the reason is
kept in the ledger) and its held failures are retried as usual from the next sweep,
within the caps. Times in display.timeZone.
-c is short for --config, -h for --help.
`,
    exits: {
      OK: 'shown, or closed',
      FAILED: `close: no open incident with that cause key on the target, or ${UNEXPECTED}`,
      USAGE: 'bad arguments or configuration',
    },
  },
  explain: {
    summary: 'why one instance was or would be restarted: its failure, ledger history and decision now',
    usage: `Usage: dataarts-autoretry explain --config <file.json> --job NAME --instance ID [--target NAME] [--json]

Explains one instance: as DataArts lists it, its failure (errorMessage and failed node),
its ledger history (every attempt with time and outcome) and the decision a sweep would
take now, with the reason. Reads only: nothing is restarted or recorded. The fleet
guards (storm guard, caps) depend on the whole sweep and are not applied here.
--target is needed when the configuration has more than one target.
-c is short for --config, -h for --help.
`,
    exits: {
      OK: 'explained: the instance is listed in the look-back',
      FAILED: `the instance is not listed in the look-back (not-found), or ${UNEXPECTED}`,
      USAGE: 'bad arguments, configuration or credentials',
      AUTH_EVERYWHERE: 'authentication failed',
    },
  },
  reset: {
    summary: 'give an instance (or a job) its retry budget back, with a reason kept in the ledger',
    usage: `Usage: dataarts-autoretry reset --config <file.json> (--instance ID | --job NAME) [--target NAME] --reason TEXT [--dry-run] [--json]

Gives the selected instance (or every instance of a job) its retry budget back: the
counted attempts are cleared, kept in the entry with who, when and why (history shows
them), and the next sweep may restart it again. A failure already rerun is not rerun
twice: the instance is restarted at its next failure. Never resets an attempt in
flight or one whose outcome is still unknown (exit 1, naming it). --dry-run says what
would be reset and changes nothing.
-c is short for --config, -h for --help.
`,
    exits: {
      OK: 'reset (with --dry-run: every selected instance could be)',
      FAILED: `nothing matched, or an attempt in flight or of unknown outcome was refused (named), or ${UNEXPECTED}`,
      USAGE: 'bad arguments or configuration',
    },
  },
  init: {
    summary: 'write an example configuration, every key explained (never overwrites)',
    usage: `Usage: dataarts-autoretry init [path]

Writes an example configuration with every key and its default explained (JSON with
// comments) to ./sweep.json, or to the given path. Never overwrites a file.
`,
    exits: {
      OK: 'written',
      FAILED: UNEXPECTED,
      USAGE: 'the file exists or cannot be written, or bad arguments',
    },
  },
  validate: {
    summary: 'check a configuration file offline (a stage: npx serverless validate --stage NAME)',
    usage: `Usage: dataarts-autoretry validate --config <file.json>

Checks a configuration file offline with the same validator a sweep uses: every
problem, one line each, naming the field (exit 2), or a one-line summary (exit 0).
A deployed stage is checked with \`npx serverless validate --stage <stage>\` (see docs/deploy.md).
-c is short for --config, -h for --help.
`,
    exits: {
      OK: 'valid: a one-line summary',
      FAILED: UNEXPECTED,
      USAGE: 'invalid: every problem, one line each, naming the field',
    },
  },
  notify: {
    summary: 'notify test: send a sample summary to every webhook of a secret file',
    usage: `Usage: dataarts-autoretry notify test --secret-file <secret.json> [--dry-run] [--locale zh-CN] [--time-zone Asia/Shanghai]

Sends a sample summary to each webhook of the secret file and names any channel that
failed with its platform's code (exit 5); --dry-run prints each request body instead
(URLs redacted) and sends nothing.
`,
    exits: {
      OK: 'every channel accepted the sample (--dry-run: every request printed)',
      FAILED: UNEXPECTED,
      USAGE: 'bad arguments or secret file',
      NOTIFY_FAILED: "a channel failed (named with its platform's code)",
    },
  },
};

const enTemplate: TemplateComments = {
  header: `dataarts-autoretry configuration, written by \`dataarts-autoretry init\`.
JSON with // comments. Every key below is shown with its default; delete what you
do not change. Full reference: docs/configuration.md (README.zh-CN.md in Chinese).`,
  targets: 'DataArts projects/workspaces to sweep (1 to 50).',
  name: 'Unique and stable: part of every ledger key (renaming resets budgets).',
  endpoint: 'The DLF endpoint of your region.',
  projectId: 'Your Huawei Cloud project id (console: My Credentials > API Credentials).',
  workspace: 'workspace id; the default workspace when left out',
  iamEndpoint: 'https://iam.cn-north-4.myhuaweicloud.com (IAM-user credentials only)',
  ledger: `Where every attempt is recorded. The command line uses a local file; the Lambda a
DynamoDB table: { "type": "dynamodb", "table": "dataarts-autoretry-prod-ledger" }.`,
  lock: 'A .lock file beside it serializes sweeps on this machine.',
  retention: 'How long an entry lives; must exceed policy.lookback.',
  lookback: 'Window of plan time swept (1m to 30d).',
  jobs: 'Job-name globs to include and exclude (* and ?; exclude wins).',
  statuses: 'Statuses to retry: fail, manual-stop (cancelled; opt-in).',
  instanceTypes: 'Instance types: 0 normal, 5 PatchData, 6 subjob, 7 run-once (2, manual, cannot be rerun).',
  maxAttempts: 'Reruns per instance, ever (1 to 20).',
  firstRetryDelay: 'Wait after the failure ended before the first rerun.',
  backoff: 'Spacing after attempt k: min(max, base x factor^(k-1)); jitter equal, full or none.',
  skipSuperseded: 'Skip an instance when a newer instance of the same job succeeded.',
  failureRules: `Failure rules (case-insensitive patterns on errorMessage; see docs/retry-policy.md):
never rerun these; if set, rerun only these; what to do when there is no message.`,
  nodeTypes: 'Failed node types to skip (costs one show request per instance about to be rerun).',
  rules: `Per-job overrides, first match wins, e.g.
{ "match": "dws_finance_*", "maxAttempts": 1 }, { "match": "tmp_*", "enabled": false }`,
  caps: 'Restarts per sweep over all targets, and per target per clock hour.',
  stormGuard: `Restart nothing on a target when many jobs fail at once (a shared cause): counts
only failures policy would rerun that ended within the window, none an incident holds.`,
  incidents: `One cause failing 5+ jobs within 30m is an incident: its failures are held, one
canary rerun probes it (after 15m, then every 30m), then they go in batches (docs/incidents.md).`,
  concurrency: 'Requests in flight, and requests per second, per credential.',
  client: 'Per request attempt; retries of 429/502/503/504/network errors; cap on Retry-After.',
  paging: 'Meaning of `offset` if a window cannot be split: auto, page, record, none.',
  window: 'Longest window one list request asks for; list requests per listing.',
  restartLag: 'How long DataArts may take to show a restart it accepted (part of every lease).',
  notify: 'Notifications (--notify): language, time zone, how often a lasting problem is repeated.',
  display: `This command line's table: language (en, zh-CN; left out, your LANG decides: zh_CN.UTF-8
reads zh-CN, anything else en) and time zone (e.g. Asia/Shanghai).`,
};

const en: CliMessages = {
  title: (sweep, at) => `dataarts-autoretry sweep ${sweep} at ${at}`,
  dryRunBanner: '[DRY RUN: nothing restarted, nothing recorded]',
  targetHeaders: [
    'TARGET',
    'WORKSPACE',
    'LISTED',
    'RESTARTED',
    'SKIPPED',
    'DEFERRED',
    'ERRORS',
    'STORM',
    'API CALLS',
  ],
  decisionHeaders: ['OUTCOME', 'TARGET', 'JOB', 'INSTANCE', 'ATTEMPT', 'WHY'],
  wouldRestart: (n) => `${n} (would)`,
  stormCell: (suspected) => (suspected ? 'SUSPECTED' : 'no'),
  foldedJobs: (n) => `across ${n} jobs`,
  listEach: ' (--all lists each)',
  took: (counts, ms) => `${counts} in ${ms} ms`,
  comma: ', ',
  noOutcome: 'n/a',
  ledgerLine: (name) => `ledger: ${name}`,
  ledgerFile: (path) => `file ${path}`,
  ledgerTable: (table) => `DynamoDB table ${table}`,
  why: (d) => d.detail,
  storm: (s) => s.reason ?? '',
  historyHeaders: ['TIME', 'TARGET', 'WORKSPACE', 'JOB', 'INSTANCE', 'ATTEMPT', 'OUTCOME', 'CODE / REASON'],
  attemptOutcome: (outcome) => outcome,
  resetEvent: 'reset',
  resetBy: (by, reason) => `by ${by}: ${reason}`,
  noEntry: 'no ledger entry matches',
  incidentHeaders: [
    'TARGET',
    'CAUSE KEY',
    'STATE',
    'SINCE',
    'JOBS',
    'HELD',
    'PROBES',
    'NEXT CANARY',
    'CAUSE',
  ],
  incidentState: (state, closedBy) => (closedBy ? `${state} (${closedBy})` : state),
  noIncident: (closedToo) => (closedToo ? 'no incident' : 'no open incident'),
  incidentClosed: (target, key, cause) =>
    `closed  ${target} ${key}: ${cause}\nits held failures are retried as usual from the next sweep, within the caps`,
  noOpenIncident: (key, target) => `no open incident with cause key ${key} on target ${target}`,
  nothingToReset: 'no ledger entry matches: nothing to reset',
  resetDone: (place, cleared, dryRun) =>
    `${dryRun ? 'would reset' : 'reset'}  ${place}: ${cleared} attempt(s) cleared`,
  resetRefused: (place, reason) => `refused  ${place}: ${reason}`,
  valid: (path, targets, ledger) =>
    `ok: ${path}: ${targets.length} target(s) (${targets.join(', ')}), ledger ${ledger}`,
  wrote: (path, shown) =>
    `wrote ${path}\nnext: set targets[0].endpoint and projectId, then\n  dataarts-autoretry validate --config ${shown}\n  dataarts-autoretry --config ${shown} --dry-run`,
  template: enTemplate,
  explain: {
    incident: (p) =>
      `incident: ${p.state} since ${p.since}${p.nextProbe ? `, next canary ${p.nextProbe}` : ''}: ${p.cause} (cause key ${p.key})`,
    place: (target, workspace, job, instance) =>
      `${target} / workspace ${workspace} / job ${job} / instance ${instance}`,
    listed: (p) =>
      `listed: status ${p.status}${p.type === undefined ? '' : `, type ${p.type}`}${p.started === undefined ? '' : `, started ${p.started}`}${p.ended === undefined ? '' : `, ended ${p.ended}`}`,
    notListed: 'listed: not in the look-back window',
    failure: (p) =>
      `failure: ${[
        p.message ?? 'no errorMessage',
        p.node ? `node ${p.node.name} (${p.node.type ?? 'type unknown'})` : '',
        p.detailsError ? `details unavailable: ${p.detailsError}` : '',
      ]
        .filter(Boolean)
        .join('; ')}`,
    noLedger: 'ledger: no attempt recorded',
    ledger: (attempts, notBefore) =>
      `ledger: ${attempts} attempt(s) counted${notBefore ? `, next not before ${notBefore}` : ''}`,
    attempt: (n, at, outcome, code, recovery) =>
      `  attempt ${n} at ${at}: ${outcome}${code ? ` (${code})` : ''}${recovery ? `, then ${recovery}` : ''}`,
    decision: (outcome, why, rule, attempt, maxAttempts) =>
      `decision now: ${outcome}: ${why}${budgetOf({ ...(attempt === undefined ? {} : { attempt }), ...(maxAttempts === undefined ? {} : { maxAttempts }) })} (rule ${rule}; fleet guards not applied)`,
    notFound: (f) =>
      `instance ${f.instanceId} of job ${f.jobName} is not listed on target ${f.target} from ${f.from} to ${f.to} (policy.lookback); ${f.known ? 'DataArts knows it: it is outside that window' : 'DataArts does not know it'}`,
  },
  progress: (p) => {
    const extra = [
      p.inFlight > 0 ? `${p.inFlight} in flight` : '',
      p.failed > 0 ? `${p.failed} failed` : '',
    ].filter(Boolean);
    return `listed ${p.listed} · restarted ${p.restarted}${extra.length ? ` (${extra.join(', ')})` : ''} · ${p.rate}/s${p.eta === undefined ? '' : ` · ETA ≤ ${p.eta} s`} · ${p.seconds} s`;
  },
  interrupt: {
    again: (signal) => `dataarts-autoretry: ${signal} again: exiting now`,
    interrupted: (signal) => signal,
    quitHint: (signal) => `${signal} again to quit now`,
    deadlinePassed: (deadline) => `the --deadline of ${deadline} has passed`,
    nothingInFlight: 'nothing in flight',
    waiting: (seconds, open) =>
      `waiting up to ${seconds} s for ${open.length} restart(s) in flight: ${firstFive(open)}`,
    stopped: (what, waiting, hint) =>
      `dataarts-autoretry: ${what}: no new restarts; ${waiting}; the partial report follows${hint ? ` (${hint})` : ''}`,
  },
  notifyTest: {
    noWebhooks: 'no webhooks in the secret file',
    ok: (channel) => `ok     ${channel}`,
    failed: (channel, code, message, attempts) =>
      `FAILED ${channel}: ${code}${message ? ` ${message}` : ''} (${attempts} attempt(s))`,
  },
  invalid: (field, problem) => `dataarts-autoretry: invalid ${field}: ${problem}`,
  problem: (text) => text,
  authEverywhere: (message) => `dataarts-autoretry: authentication failed on every target (${message})`,
  targetsFailed: (failed, total, list) =>
    `dataarts-autoretry: ${failed} of ${total} target(s) could not be swept: ${list}`,
  notificationFailed: (channel, code, message) =>
    `dataarts-autoretry: notification failed: ${channel}: ${code} ${message}`,
  help: enHelp,
};

/** The command line's words per locale: chosen once per command (lib/cli/display.ts). */
export const CLI_MESSAGES: Readonly<Record<Locale, CliMessages>> = { en, 'zh-CN': zhCN };
