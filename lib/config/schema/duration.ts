import * as v from 'valibot';
import { ConfigError } from '../../errors';
import { parseDuration } from '../../util/duration';
import { describe, jsonSchema } from './primitives';

/** Bounds of a duration, written the way the file writes durations (`"1m"`, `"30d"`). */
export interface DurationBounds {
  readonly min?: string;
  readonly max?: string;
}

/** parseDuration's own ceiling: every duration is at most a year. */
const YEAR = '365d';
const ms = (text: string) => parseDuration(text, text);

function boundsText({ min, max }: DurationBounds): string {
  if (min !== undefined && max !== undefined) return `must be from ${min} to ${max}`;
  return min !== undefined ? `must be at least ${min}` : `must be at most ${max ?? YEAR}`;
}

/** What is wrong with `value` as a duration within `bounds`, or undefined when it is fine. */
export function durationProblem(value: unknown, bounds: DurationBounds): string | undefined {
  let given: number;
  try {
    given = parseDuration(value, '');
  } catch (error) {
    return error instanceof ConfigError ? error.problem : String(error);
  }
  const { min = '0s', max = YEAR } = bounds;
  return given < ms(min) || given > ms(max) ? `${boundsText(bounds)}, got ${describe(value)}` : undefined;
}

/**
 * `"250ms"`, `"90s"`, `"10m"`, `"2h"`, `"7d"` or whole seconds, within `bounds`, parsed
 * into milliseconds. The JSON schema states the bounds for whole seconds and in the
 * description (a pattern cannot compare durations written with units). `description`
 * says what the duration is for.
 */
export function duration(bounds: DurationBounds = {}, description = '') {
  const { min = '0s', max = YEAR } = bounds;
  const limits = bounds.min || bounds.max ? ` (${boundsText(bounds).replace('must be ', '')})` : '';
  return v.pipe(
    v.union([v.string(), v.number()], (issue) => durationProblem(issue.input, bounds) ?? ''),
    jsonSchema({
      description: `${description ? `${description} ` : ''}"250ms", "90s", "10m", "2h", "7d" or whole seconds${limits}.`,
      anyOf: [
        { type: 'string', pattern: '^\\s*\\d+(\\.\\d+)?(ms|s|m|h|d)\\s*$' },
        { type: 'integer', minimum: Math.ceil(ms(min) / 1000), maximum: Math.floor(ms(max) / 1000) },
      ],
    }),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const problem = durationProblem(dataset.value, bounds);
      if (problem === undefined) return parseDuration(dataset.value, '');
      addIssue({ message: problem });
      return NEVER;
    }),
  );
}

/** The window a sweep may look back over: `policy.lookback` and a manual event's `lookback`. */
export const LOOKBACK_BOUNDS = { min: '1m', max: '30d' } as const;
