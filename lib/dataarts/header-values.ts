import { ConfigError } from '../errors';

/**
 * A value an HTTP header can carry as it is: visible ASCII, no whitespace at all (AK,
 * SK, tokens and workspace ids never contain any). Anything else would be refused by
 * fetch with an error that quotes the value, or would be signed differently from
 * what the gateway receives (a failed signature counts toward the AK lock).
 */
export function isHeaderSafe(value: string): boolean {
  return /^[\x21-\x7e]+$/.test(value);
}

/** Why `value` cannot be sent as a header as it is, or undefined when it can; never quotes it. */
export function headerProblem(value: string): string | undefined {
  if (isHeaderSafe(value)) return undefined;
  if (value === '') return 'is empty';
  return /\s/.test(value)
    ? 'contains whitespace or a line break (check for a trailing newline)'
    : 'contains characters an HTTP header cannot carry (only visible ASCII is allowed)';
}

/**
 * Throws a ConfigError naming `field` when `value` is not header-safe. The value is
 * never part of the message: it may be a secret.
 */
export function assertHeaderSafe(field: string, value: string): void {
  const problem = headerProblem(value);
  if (problem) throw new ConfigError(field, `${problem}; the value is not shown`);
}
