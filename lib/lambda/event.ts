import { readArray, readBoolean, readObject, readString } from '../config/read';
import { ConfigError } from '../errors';
import { parseDuration } from '../util/duration';

/** What a manual invocation may change for one sweep. */
export interface SweepOverrides {
  dryRun?: boolean;
  jobs?: string[];
  lookback?: string;
}

/**
 * The schedule's EventBridge event (no overrides) or a manual invocation such as
 * `{"dryRun": true, "jobs": ["ods_*"], "lookback": "48h"}`. Unknown keys are rejected.
 */
export function parseSweepEvent(event: unknown): SweepOverrides {
  if (event === undefined || event === null) return {};
  if (
    typeof event === 'object' &&
    !Array.isArray(event) &&
    (event as { source?: unknown }).source === 'aws.events'
  ) {
    return {};
  }
  const raw = readObject(event, 'event', ['dryRun', 'jobs', 'lookback']);
  const out: SweepOverrides = {};
  if (raw.dryRun !== undefined) out.dryRun = readBoolean(raw.dryRun, 'event.dryRun');
  if (raw.jobs !== undefined)
    out.jobs = readArray(raw.jobs, 'event.jobs', (v, f) => readString(v, f), { min: 1, max: 200 });
  if (raw.lookback !== undefined) {
    const lookback = readString(raw.lookback, 'event.lookback');
    const ms = parseDuration(lookback, 'event.lookback');
    if (ms < 60_000 || ms > 30 * 86_400_000)
      throw new ConfigError('event.lookback', 'must be from 1m to 30d');
    out.lookback = lookback;
  }
  return out;
}
