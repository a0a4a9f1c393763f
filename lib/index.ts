/**
 * The library entry point (`import { runSweep } from 'dataarts-autoretry'`), for a CDK
 * app, a test or another scheduler: only re-exports. The command line and the Lambda
 * are built from the same functions.
 */
export { credentialsFromEnv } from './config/credentials';
export { settingsFromEnv } from './config/lambda-env';
export { parseConfig, parseConfigText } from './config/parse';
export type { DisplaySettings } from './config/schema/display';
export type * from './config/types';
export * from './errors';
export { buildLedger } from './ledger/build-ledger';
export { DynamoDbLedger } from './ledger/dynamodb-ledger';
export { FileLedger } from './ledger/file-ledger';
export type { AttemptOutcome, AttemptRecord, InstanceKey, Ledger, LedgerEntry } from './ledger/ledger';
export { keyString } from './ledger/ledger';
export type * from './ledger/ledger-history';
export type { Logger } from './log';
export {
  type ApiCalls,
  type Counts,
  type DecisionRecord,
  type ErrorItem,
  type ExhaustedItem,
  type InstanceRef,
  REPORT_SCHEMA_VERSION,
  type RestartedItem,
  type SweepReport,
  SweepReportSchema,
  type TargetReport,
  type UnconfirmedItem,
} from './sweep/report';
export { runSweep, type SweepDeps, type SweepOptions } from './sweep/sweep';
export { buildTargets } from './wiring';
