import * as v from 'valibot';
import { didYouMean } from '../did-you-mean';

/**
 * The building blocks of every schema here. Each message says what is allowed and
 * what was given, so a validation error needs no second look at the file.
 */

type Message = (issue: v.BaseIssue<unknown>) => string;

/** A value as errors show it: short, and never an object's contents. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** `allowed`, followed by what was given. */
export const say =
  (allowed: string): Message =>
  (issue) =>
    `${allowed}, got ${describe(issue.input)}`;

/** A non-blank string of at most 2048 characters; `pattern` narrows it further. */
export function text(options: { pattern?: RegExp; hint?: string } = {}) {
  const blank = say('must be a non-empty string');
  return v.pipe(
    v.string(blank),
    v.regex(options.pattern ?? /\S/, options.pattern ? say(`must be ${options.hint}`) : blank),
    v.maxLength(2048, 'must be at most 2048 characters'),
  );
}

export function int(min: number, max: number) {
  const message = say(`must be a whole number from ${min} to ${max}`);
  return v.pipe(v.number(message), v.integer(message), v.minValue(min, message), v.maxValue(max, message));
}

export function num(min: number, max: number) {
  const message = say(`must be a number from ${min} to ${max}`);
  return v.pipe(v.number(message), v.minValue(min, message), v.maxValue(max, message));
}

export const bool = () => v.boolean(say('must be true or false'));

export function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return v.picklist(values, say(`must be one of ${values.map((x) => `"${x}"`).join(', ')}`));
}

export function list<T extends v.GenericSchema>(item: T, { min = 0, max = 1000 } = {}) {
  const size: Message = (issue) =>
    `must have from ${min} to ${max} items, got ${(issue.input as unknown[]).length}`;
  return v.pipe(v.array(item, say('must be an array')), v.minLength(min, size), v.maxLength(max, size));
}

/**
 * A strict object: unknown keys are errors (typos must not fall back to defaults).
 * `required` adds a hint to the "is required" message of a key.
 */
export function strict<const E extends v.ObjectEntries>(
  entries: E,
  required: Partial<Record<keyof E, string>> = {},
) {
  const allowed = Object.keys(entries);
  const keys = allowed.join(', ');
  const message: Message = (issue) => {
    if (issue.expected === 'never') {
      const near = didYouMean(String(issue.input), allowed);
      return near
        ? `unknown key; did you mean "${near}"? (allowed keys are ${keys})`
        : `unknown key; allowed keys are ${keys}`;
    }
    const key = issue.path?.[0]?.key as keyof E | undefined;
    if (key !== undefined) return `is required${required[key] ? `: ${required[key]}` : ''}`;
    return say('must be an object')(issue);
  };
  return objectOnly(everyUnknownKey(v.strictObject(entries, message)));
}

type StrictObject = v.StrictObjectSchema<v.ObjectEntries, v.ErrorMessage<v.StrictObjectIssue> | undefined>;

/**
 * valibot's strict objects name the first unknown key only: every one is named here
 * (the same issue, at each key, its message made for that key), so a file with two
 * typos is fixed in one pass.
 */
export function everyUnknownKey<S extends StrictObject>(schema: S): S {
  const run: S['~run'] = (dataset, config) => {
    const input = dataset.value;
    const result = schema['~run'](dataset, config);
    // At this level an unknown key's path is the key alone; deeper issues have longer paths.
    const first = result.issues?.find((issue) => issue.expected === 'never' && issue.path?.length === 1);
    if (!first || typeof input !== 'object' || input === null) return result;
    const object = input as Record<string, unknown>;
    for (const [key, value] of Object.entries(object)) {
      if (key === first.input || Object.hasOwn(schema.entries, key)) continue;
      const path: [v.ObjectPathItem] = [{ type: 'object', origin: 'key', input: object, key, value }];
      const issue = { ...first, input: key, received: `"${key}"`, path };
      // The message names the key (a did-you-mean): written again for this one.
      if (typeof schema.message === 'function') issue.message = schema.message(issue as v.StrictObjectIssue);
      result.issues?.push(issue);
    }
    return result;
  };
  return { ...schema, '~run': run };
}

/**
 * valibot's object schemas take arrays for objects (an array is an object to JS);
 * a configuration value that should be an object must not be one.
 */
export function objectOnly<S extends v.GenericSchema>(schema: S): S {
  const notArray = v.custom<never>(() => false, 'must be an object, got an array');
  const run: S['~run'] = (dataset, config) =>
    (Array.isArray(dataset.value)
      ? notArray['~run'](dataset, config)
      : schema['~run'](dataset, config)) as ReturnType<S['~run']>;
  return { ...schema, '~run': run };
}

/**
 * JSON-schema keywords for a rule valibot cannot express in JSON schema (a check, a
 * transform): written beside the rule, copied into the generated file as is.
 */
export const jsonSchema = <T>(keywords: Record<string, unknown>) =>
  v.metadata<T, Record<string, unknown>>(keywords);

/** An issue path for a check that looks at several fields at once (`targets`, 1, `name`). */
export function pathTo(...keys: (string | number)[]) {
  const items = keys.map(
    (key): v.IssuePathItem => ({ type: 'unknown', origin: 'value', input: undefined, key, value: undefined }),
  );
  return items as [v.IssuePathItem, ...v.IssuePathItem[]];
}
