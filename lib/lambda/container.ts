import { createHash } from 'node:crypto';
import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import { type LambdaSettings, settingsFromEnv } from '../config/lambda-env';
import type { Credentials } from '../dataarts/auth-types';
import type { TransportOptions } from '../dataarts/transport';
import { ConfigError } from '../errors';
import { DynamoDbLedger } from '../ledger/dynamodb-ledger';
import type { Ledger } from '../ledger/ledger';
import { asLogger, type Logger, powertoolsLogger, RedactingWriter } from '../log';
import { sweepMetrics } from '../metrics';
import type { SweepReport } from '../sweep/report';
import type { Clock } from '../util/time';
import { buildTargets } from '../wiring';
import type { SweepOverrides } from './event';
import type { SweepSecret } from './secret';

export interface LambdaDeps {
  env: NodeJS.ProcessEnv;
  secret: { get(): Promise<SweepSecret> };
  sns: Pick<SNSClient, 'send'>;
  dynamo: DynamoDBClient;
  clock: Clock;
  /** Where log lines and EMF metric lines go, each ending in a newline (stdout in Lambda). */
  write: (text: string) => void;
  /** Tests speed the transport up. */
  transport?: Partial<TransportOptions>;
}

type Targets = ReturnType<typeof buildTargets>;

/**
 * What lives as long as the Lambda execution environment: the settings (parsed on
 * the first invocation), the logger and metrics, the ledger, and the DataArts
 * clients with their per-credential accounts (rate limiter, IAM tokens). The clients
 * are rebuilt only when the secret's credentials change, or after a sweep in which a
 * credential failed authentication (an account stopped by a 401 stays stopped, so a
 * credential fixed on Huawei's side gets a fresh account on the next sweep).
 */
export class LambdaContainer {
  readonly out: RedactingWriter;
  /** The Powertools logger, for what only it does: Lambda context, sampling, the event. */
  readonly powertools: PowertoolsLogger;
  readonly logger: Logger;
  private base: LambdaSettings | undefined;
  private metricsOnce: Metrics | undefined;
  private ledgerOnce: Ledger | undefined;
  private clients: { fingerprint: string; targets: Targets } | undefined;

  constructor(readonly deps: LambdaDeps) {
    this.out = new RedactingWriter(deps.write);
    const level = deps.env.POWERTOOLS_LOG_LEVEL ?? deps.env.LOG_LEVEL;
    this.powertools = powertoolsLogger(this.out, level ? { logLevel: level.toUpperCase() as 'INFO' } : {});
    this.logger = asLogger(this.powertools);
  }

  /**
   * The environment's settings, parsed once. An event's overrides (jobs, lookback)
   * get a fresh parse of their own that is never kept, so they cannot reach the
   * next invocation.
   */
  settings(overrides: SweepOverrides, functionArn: string | undefined): LambdaSettings {
    const policy = {
      ...(overrides.jobs ? { jobs: overrides.jobs } : {}),
      ...(overrides.lookback ? { lookback: overrides.lookback } : {}),
    };
    if (Object.keys(policy).length > 0) return settingsFromEnv(this.deps.env, policy, functionArn);
    this.base ??= settingsFromEnv(this.deps.env, {}, functionArn);
    return this.base;
  }

  metrics(stage: string): Metrics {
    this.metricsOnce ??= sweepMetrics({
      stage,
      write: (line) => this.out.write(line),
      logger: this.powertools,
    });
    return this.metricsOnce;
  }

  ledger(settings: LambdaSettings): Ledger {
    // settingsFromEnv always names the stack's table: the file ledger is the command line's.
    const { ledger } = settings.config;
    if (ledger.type !== 'dynamodb')
      throw new ConfigError('ledger', 'the Lambda records attempts in DynamoDB only');
    this.ledgerOnce ??= new DynamoDbLedger(this.deps.dynamo, ledger.table);
    return this.ledgerOnce;
  }

  /**
   * The clients of every target. Overrides only change policy keys that do not shape
   * a client (jobs, lookback), so the clients serve every invocation's settings.
   */
  targets(settings: LambdaSettings, credentials: Credentials): Targets {
    const fingerprint = fingerprintOf(credentials);
    if (this.clients?.fingerprint !== fingerprint) {
      const { deps } = this;
      this.clients = {
        fingerprint,
        targets: buildTargets(settings.config, credentials, deps.clock, deps.transport),
      };
    }
    return this.clients.targets;
  }

  /** After each sweep: drop the clients when one of their accounts was stopped by a 401. */
  settle(report: SweepReport | undefined): void {
    const authFailed = (code: string | undefined) => code === 'AUTHENTICATION_FAILED';
    if (
      !report ||
      report.targets.some((t) => authFailed(t.error?.code)) ||
      report.errors.some((e) => authFailed(e.code))
    ) {
      this.clients = undefined;
    }
  }
}

/** Tells credentials apart without keeping or logging them: a SHA-256 of their values. */
function fingerprintOf(credentials: Credentials): string {
  const entries = Object.entries(credentials).sort(([a], [b]) => (a < b ? -1 : 1));
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
