/**
 * The configuration's types, all inferred from its schema (lib/config/schema/): the
 * schema is the one definition of every key, bound and default.
 */
export type { DeepReadonly } from './deep-readonly';
export type { ClientConfig } from './schema/client';
export type { Config, ConfigInput } from './schema/config';
export type { LedgerConfig } from './schema/ledger';
export type {
  BackoffConfig,
  IncidentsConfig,
  Jitter,
  PolicyConfig,
  RetryRule,
  RuleOverride,
} from './schema/policy';
export type { StormGuardConfig } from './schema/policy-fields';
export type { TargetConfig } from './schema/target';
