import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { settingsFromEnv } from '../config/lambda-env';
import type { TransportOptions } from '../dataarts/transport';
import { SweepFailedError } from '../errors';
import type { Logger } from '../log';
import { metricLines } from '../metrics';
import { type DeliveryResult, deliver } from '../notify/deliver';
import { buildSummary, shouldNotify } from '../notify/summary';
import { authFailedEverywhere, type SweepReport } from '../sweep/report';
import { runSweep } from '../sweep/sweep';
import type { Clock } from '../util/time';
import { buildLedger, buildTargets } from '../wiring';
import { parseSweepEvent } from './event';
import type { SweepSecret } from './secret';

export interface LambdaDeps {
  env: NodeJS.ProcessEnv;
  secret: { get(): Promise<SweepSecret> };
  sns: Pick<SNSClient, 'send'>;
  dynamo: DynamoDBClient;
  clock: Clock;
  /** Builds the logger once the secret's values are known, so it can redact them. */
  logger: (redact: readonly string[]) => Logger;
  writeMetric: (line: string) => void;
  /** Tests speed the transport up. */
  transport?: Partial<TransportOptions>;
}

/** The part of the Lambda context the sweep uses. */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  invokedFunctionArn?: string;
}

export type LambdaResult = SweepReport & { notification: { sent: boolean } & Partial<DeliveryResult> };

/**
 * One scheduled or manual invocation: validate the event and settings, read the
 * secret, sweep until the Lambda deadline (minus a margin), emit metrics, notify,
 * return the report. Per-instance errors are in the report; a sweep that cannot
 * run (bad settings, missing secret, authentication failing on every target) throws.
 */
export async function runLambdaSweep(
  event: unknown,
  context: InvocationContext,
  deps: LambdaDeps,
): Promise<LambdaResult> {
  const overrides = parseSweepEvent(event);
  const settings = settingsFromEnv(
    deps.env,
    {
      ...(overrides.jobs ? { jobs: overrides.jobs } : {}),
      ...(overrides.lookback ? { lookback: overrides.lookback } : {}),
    },
    context.invokedFunctionArn,
  );
  // The deadline counts from the invocation's start, before the secret is fetched.
  const deadline = deps.clock.now() + context.getRemainingTimeInMillis() - settings.deadlineMarginMs;
  const { report, logger, secret } = await sweepUntil(deadline, settings, overrides.dryRun ?? false, deps);
  for (const line of metricLines(report, settings.stage, deps.clock.now())) deps.writeMetric(line);

  const summary = buildSummary(report, { stage: settings.stage });
  let notification: LambdaResult['notification'] = { sent: false };
  if (shouldNotify(settings.notifyPolicy, summary)) {
    const result = await deliver(
      summary,
      {
        ...(settings.topicArn ? { sns: { client: deps.sns, topicArn: settings.topicArn } } : {}),
        webhooks: secret.webhooks,
      },
      logger,
      () => deps.clock.now(),
    );
    notification = { sent: true, ...result };
  }

  if (authFailedEverywhere(report)) {
    throw new SweepFailedError({
      message: `authentication failed on every target: ${report.targets.map((t) => t.target).join(', ')}`,
    });
  }
  return { ...report, notification };
}

/**
 * Reads the secret and sweeps, with an AbortSignal that fires at the deadline so no
 * wait or request outlives it; the report is complete whatever was cut short.
 */
async function sweepUntil(
  deadline: number,
  settings: ReturnType<typeof settingsFromEnv>,
  dryRun: boolean,
  deps: LambdaDeps,
): Promise<{ report: SweepReport; logger: Logger; secret: SweepSecret }> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('the Lambda deadline is near')),
    Math.max(0, deadline - deps.clock.now()),
  );
  try {
    const secret = await deps.secret.get();
    const logger = deps.logger(secret.values);
    const { config } = settings;
    const report = await runSweep(
      {
        config,
        targets: buildTargets(config, secret.credentials, deps.clock, deps.transport),
        ledger: buildLedger(config.ledger, deps.dynamo),
        clock: deps.clock,
        logger,
      },
      { dryRun, deadline, signal: controller.signal },
    );
    return { report, logger, secret };
  } finally {
    clearTimeout(timer);
  }
}
