import type { LambdaSettings } from '../config/lambda-env';
import { notifySettingsOf } from '../config/schema/notify';
import { SweepFailedError } from '../errors';
import { publishNotifyFailed, publishSweepMetrics, publishTargetFailures } from '../metrics';
import type { DeliveryResult } from '../notify/deliver';
import { noticeStoreFor } from '../notify/notice-store';
import { notifySweep } from '../notify/notify-sweep';
import { authFailedEverywhere, type SweepReport } from '../sweep/report';
import { runSweep, type SweepOptions } from '../sweep/sweep';
import { everyTargetFailed, failedTargets } from '../sweep/target-failures';
import { LambdaContainer, type LambdaDeps } from './container';
import { parseSweepEvent } from './event';
import { fitResponse, logDetail } from './response';
import type { SweepSecret } from './secret';

export type { LambdaDeps } from './container';

/** The part of the Lambda context the sweep uses (the rest feeds the log records). */
export interface InvocationContext {
  getRemainingTimeInMillis(): number;
  invokedFunctionArn?: string;
  functionName?: string;
  functionVersion?: string;
  awsRequestId?: string;
  memoryLimitInMB?: string;
}

/** Kept after the last notification for returning the report. */
const RETURN_RESERVE_MS = 1_000;

export type LambdaResult = SweepReport & { notification: { sent: boolean } & Partial<DeliveryResult> };

/**
 * The Lambda handler's body, with everything that may outlive one invocation (see
 * LambdaContainer) built once: call it at module scope, so warm invocations reuse it.
 */
export function createLambdaSweep(
  deps: LambdaDeps,
): (event: unknown, context: InvocationContext) => Promise<LambdaResult> {
  const container = new LambdaContainer(deps);
  return (event, context) => invoke(container, event, context);
}

/** One invocation in a fresh execution environment (tests, scripts). */
export function runLambdaSweep(
  event: unknown,
  context: InvocationContext,
  deps: LambdaDeps,
): Promise<LambdaResult> {
  return createLambdaSweep(deps)(event, context);
}

/**
 * One scheduled or manual invocation: validate the event and settings, read the
 * secret, sweep until the Lambda deadline (minus a margin), emit metrics, notify,
 * return the report. Per-instance errors are in the report; a sweep that cannot
 * run (bad settings, missing secret, authentication failing on every target) throws.
 */
async function invoke(container: LambdaContainer, event: unknown, context: InvocationContext) {
  const { deps, logger, powertools } = container;
  // Powertools' context type is aws-lambda's Context; only these fields are read.
  powertools.addContext(context as Parameters<typeof powertools.addContext>[0]);
  powertools.refreshSampleRateCalculation();
  powertools.logEventIfEnabled(event);
  const overrides = parseSweepEvent(event);
  const settings = container.settings(overrides, context.invokedFunctionArn);
  // Both deadlines count from the invocation's start, before the secret is fetched.
  const end = deps.clock.now() + context.getRemainingTimeInMillis();
  const deadline = end - settings.deadlineMarginMs;
  const metrics = container.metrics(settings.stage);
  metrics.captureColdStartMetric(context.functionName);
  const { report, secret } = await sweepUntil(container, deadline, settings, {
    dryRun: overrides.dryRun ?? false,
    ...(overrides.ignoreStormGuard ? { ignoreStormGuard: true } : {}),
    ...(overrides.allDecisions ? { itemsPerOutcome: Number.POSITIVE_INFINITY } : {}),
  });
  publishSweepMetrics(metrics, report);
  publishTargetFailures(metrics, report);

  // De-duplicated against a small notice item in the ledger's table (lib/notify/notice-store.ts).
  const notification: LambdaResult['notification'] = await notifySweep({
    report,
    policy: settings.notifyPolicy,
    settings: notifySettingsOf(settings.config),
    channels: {
      ...(settings.topicArn ? { sns: { client: deps.sns, topicArn: settings.topicArn } } : {}),
      webhooks: secret.webhooks,
    },
    store: noticeStoreFor(settings.config.ledger, deps.dynamo),
    stage: settings.stage,
    logger,
    now: () => deps.clock.now(),
    deadline: end - RETURN_RESERVE_MS,
  });
  publishNotifyFailed(metrics, notification.failed?.length ?? 0);

  if (authFailedEverywhere(report)) {
    throw new SweepFailedError({
      message: `authentication failed on every target: ${report.targets.map((t) => t.target).join(', ')}`,
    });
  }
  // A wrong endpoint, project id or ledger fails every target alike: the sweep did nothing.
  if (everyTargetFailed(report)) {
    throw new SweepFailedError({
      message: `no target could be swept: ${failedTargets(report)
        .map((t) => `${t.target} (${t.error?.code})`)
        .join(', ')}`,
    });
  }
  // Lambda refuses a response over 6 MB: a large sweep returns a trimmed report and logs the rest.
  const response = fitResponse({ ...report, notification });
  if (response.truncated) logDetail(logger, report);
  return response;
}

/**
 * Reads the secret and sweeps, with an AbortSignal that fires at the deadline so no
 * wait or request outlives it; the report is complete whatever was cut short.
 */
async function sweepUntil(
  container: LambdaContainer,
  deadline: number,
  settings: LambdaSettings,
  options: Pick<SweepOptions, 'dryRun' | 'ignoreStormGuard' | 'itemsPerOutcome'>,
): Promise<{ report: SweepReport; secret: SweepSecret }> {
  const { deps } = container;
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error('the Lambda deadline is near')),
    Math.max(0, deadline - deps.clock.now()),
  );
  let report: SweepReport | undefined;
  try {
    const secret = await deps.secret.get();
    container.out.addSecrets(secret.values);
    report = await runSweep(
      {
        config: settings.config,
        targets: container.targets(settings, secret.credentials),
        ledger: container.ledger(settings),
        clock: deps.clock,
        logger: container.logger,
      },
      { ...options, deadline, signal: controller.signal },
    );
    return { report, secret };
  } finally {
    clearTimeout(timer);
    container.settle(report);
  }
}
