import { ConfigError } from '../errors';
import { parseDuration } from '../util/duration';

/**
 * Small readers for untrusted JSON: each names the field it reads, so every error
 * says where the problem is and what is allowed.
 */

export type Json = Record<string, unknown>;

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** An object whose keys must all be in `allowed` (typos are errors, not silently ignored). */
export function readObject(value: unknown, field: string, allowed: readonly string[]): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(field, `must be an object, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      throw new ConfigError(
        `${field ? `${field}.` : ''}${key}`,
        `unknown key; allowed keys are ${allowed.join(', ')}`,
      );
    }
  }
  return value as Json;
}

export function readString(
  value: unknown,
  field: string,
  options: { pattern?: RegExp; hint?: string } = {},
): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(field, `must be a non-empty string, got ${describe(value)}`);
  }
  if (value.length > 2048) throw new ConfigError(field, 'must be at most 2048 characters');
  if (options.pattern && !options.pattern.test(value)) {
    throw new ConfigError(
      field,
      `must be ${options.hint ?? `like ${options.pattern}`}, got ${describe(value)}`,
    );
  }
  return value;
}

export function readInteger(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a whole number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

export function readNumber(value: unknown, field: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(field, `must be a number from ${min} to ${max}, got ${describe(value)}`);
  }
  return value;
}

export function readBoolean(value: unknown, field: string): boolean {
  if (typeof value !== 'boolean')
    throw new ConfigError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

export function readEnum<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) {
    throw new ConfigError(
      field,
      `must be one of ${allowed.map((a) => `"${a}"`).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

export function readArray<T>(
  value: unknown,
  field: string,
  readItem: (item: unknown, field: string) => T,
  options: { min?: number; max?: number } = {},
): T[] {
  if (!Array.isArray(value)) throw new ConfigError(field, `must be an array, got ${describe(value)}`);
  const { min = 0, max = 1000 } = options;
  if (value.length < min || value.length > max) {
    throw new ConfigError(field, `must have from ${min} to ${max} items, got ${value.length}`);
  }
  return value.map((item, index) => readItem(item, `${field}[${index}]`));
}

/** `value[key]` read by `reader` when present, else `fallback`. */
export function optional<T>(
  object: Json,
  key: string,
  field: string,
  reader: (v: unknown, f: string) => T,
  fallback: T,
): T {
  const value = object[key];
  return value === undefined ? fallback : reader(value, field ? `${field}.${key}` : key);
}

export const readDuration = (value: unknown, field: string): number => parseDuration(value, field);
