import { ConfigError } from '../errors';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;

/**
 * Parses `"90s"`, `"10m"`, `"2h"`, `"7d"`, `"250ms"` or an integer number of seconds
 * into milliseconds. `field` names the setting in the error.
 */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 365 * 86_400) return value * 1000;
    throw new ConfigError(field, `must be a whole number of seconds from 0 to 31536000, got ${value}`);
  }
  if (typeof value === 'string') {
    const match = DURATION.exec(value.trim());
    if (match) {
      const ms = Math.round(Number(match[1]) * (UNIT_MS[match[2] as string] ?? 0));
      if (ms <= 365 * 86_400_000) return ms;
    }
  }
  throw new ConfigError(
    field,
    `must be a duration like "90s", "10m", "2h", "7d" (at most 365d) or whole seconds, got ${JSON.stringify(value)}`,
  );
}
