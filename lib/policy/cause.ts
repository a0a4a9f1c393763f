import { createHash } from 'node:crypto';
import { unsafePattern } from '../util/unsafe-pattern';
import { firstMatch, MATCHED_CHARS } from './failure-rules';

/**
 * A failure's cause: what many failures share when one dependency (a DLI queue, a
 * source database, OBS, a network path) goes down. Failures of one cause differ in ids,
 * times, hosts and paths; their normalised messages do not. Pure.
 */
export interface Cause {
  /** Stable and short: 16 hex digits of a sha256. Equal keys, one cause. */
  key: string;
  /** For people: the normalised message with the failed node's type and queue, or the rule's name. */
  text: string;
  /** The name of the rule that matched, if one did. */
  named?: string;
}

/** A pattern (case-insensitive, substring or regular expression, as `neverRetryOn`) on the raw message, naming its cause. */
export interface CauseRule {
  pattern: string;
  cause: string;
}

export interface FailureFacts {
  errorMessage?: string;
  failedNode?: { type?: string; queue?: string };
}

/** A normalised message is cut to this many characters: enough to name a failure. */
const SIGNATURE_CHARS = 300;

/**
 * What the normaliser recognises, in order of precedence at one position; each is a
 * named group of one pass over the message. `keep` is left as it is (codes that name a
 * failure, whose digits must not be masked); every other kind becomes its placeholder.
 *
 * Every expression is linear on untrusted input: each either is anchored by a
 * look-behind so it starts only at the beginning of a token and scans within it, or has
 * bounded repetition; none nests an unbounded quantifier.
 */
const KINDS: ReadonlyArray<{ kind: string; source: string; mask?: string }> = [
  {
    kind: 'keep',
    source: [
      // DLF.0137, DLI.0001, APIGW.0301, CDM.0021, ORA-12541
      '(?<![\\w.-])[A-Z][A-Z0-9]{1,9}[.-]\\d{3,5}(?!\\w)',
      'SQLSTATE[\\s:=]{0,3}[0-9A-Z]{5}(?!\\w)',
      // Numbers that say what failed: HTTP status, exit code, a database's error number.
      '(?<!\\w)(?:[Ss]tatus(?: [Cc]ode)?|[Ee]rror(?: [Cc]ode)?|[Ee]xit(?: [Cc]ode| [Ss]tatus)?|[Cc]ode|HTTP|[Ee]rrno)[\\s:=#]{0,3}\\d{1,5}(?!\\w)',
    ].join('|'),
  },
  { kind: 'url', source: '(?<![\\w.+-])[A-Za-z][A-Za-z0-9+.-]{0,15}:\\/\\/[^\\s\'"`<>(),]*', mask: '<url>' },
  // An apostrophe inside a word (can't) opens no quote.
  { kind: 'quoted', source: '(?<![A-Za-z])\'[^\'\\n]*\'|"[^"\\n]*"|`[^`\\n]*`', mask: "'<v>'" },
  {
    kind: 'uuid',
    source:
      '(?<![\\w-])[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\\w-])',
    mask: '<id>',
  },
  {
    kind: 'date',
    source: [
      // ISO 8601, with or without the time, fraction and zone; 2026/12/07; 07-DEC-2026 (Oracle)
      '(?<!\\w)\\d{4}-\\d{2}-\\d{2}(?:[T ]\\d{2}:\\d{2}(?::\\d{2})?(?:[.,]\\d{1,9})?)?(?:Z|[+-]\\d{2}:?\\d{2})?(?!\\w)',
      '(?<!\\w)\\d{4}\\/\\d{2}\\/\\d{2}(?!\\w)',
      '(?<![\\w-])\\d{1,2}-[A-Za-z]{3}-\\d{2,4}(?!\\w)',
      // A clock time has seconds: "3:14" is as likely a line and column.
      '(?<![\\w:])\\d{1,2}:\\d{2}:\\d{2}(?:[.,]\\d{1,9})?(?![\\w:])',
    ].join('|'),
    mask: '<time>',
  },
  {
    kind: 'host',
    source: [
      '(?<![\\w.])\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d{1,5})?(?![\\w.])',
      '(?<![\\w.-])(?:[A-Za-z0-9-]{1,63}\\.){0,8}[A-Za-z][A-Za-z0-9-]{0,62}:\\d{2,5}(?!\\w)',
    ].join('|'),
    mask: '<host>',
  },
  // Not after a word (I/O, HTTP/1.1, 404/403): a path starts a token.
  { kind: 'path', source: '(?<![\\w.:/-])\\/[\\w.@%+=~-][\\w.@%+=~/-]*', mask: '<path>' },
  // application_1700000000000_0042, job_20261207_0001, container_e01_..., mysql_link_01
  { kind: 'id', source: '(?<![\\w-])[A-Za-z]\\w*_\\d\\w*', mask: '<id>' },
  // 0x7f3a9c; a run of 6+ hex digits holding both a digit and a letter (request and trace ids)
  {
    kind: 'hex',
    source: '(?<![\\w-])(?:0x[0-9a-fA-F]+|(?=[a-fA-F]*\\d)(?=\\d*[a-fA-F])[0-9a-fA-F]{6,})(?![\\w-])',
    mask: '<id>',
  },
  {
    kind: 'duration',
    source: [
      '(?<![\\w.])\\d+h(?:\\d+m)?(?:\\d+s)?(?!\\w)',
      '(?<![\\w.])\\d+m\\d+s(?!\\w)',
      '(?<![\\w.])\\d+(?:\\.\\d+)?\\s?(?:milliseconds?|ms|seconds?|secs?|s|minutes?|mins?|m|hours?|h)(?!\\w)',
    ].join('|'),
    mask: '<dur>',
  },
  { kind: 'number', source: '\\d+(?:\\.\\d+)?', mask: '<n>' },
  { kind: 'space', source: '\\s+', mask: ' ' },
];

const TOKENS = new RegExp(KINDS.map(({ kind, source }) => `(?<${kind}>${source})`).join('|'), 'g');
const MASKS = new Map(KINDS.map(({ kind, mask }) => [kind, mask]));

/**
 * The message with what varies between failures of one cause masked: numbers, uuids and
 * hex ids, YARN/job/container ids, dates and times, durations, IPs and host:port, URLs
 * (obs://, hdfs://, https://...), file paths, quoted values and runs of whitespace.
 * Error codes (DLI.0001, ORA-12541, SQLSTATE 42P01), status and exit codes after their
 * keyword, exception class names and the words that name the failure stay. Case is kept;
 * causes compare it case-insensitively. At most `SIGNATURE_CHARS` characters; linear time.
 */
export function normaliseMessage(errorMessage: string): string {
  const masked = errorMessage.slice(0, MATCHED_CHARS).replace(TOKENS, (match, ...args) => {
    const groups = args.at(-1) as Record<string, string | undefined>;
    const kind = KINDS.find((k) => groups[k.kind] !== undefined)?.kind;
    return (kind && MASKS.get(kind)) ?? match;
  });
  return masked.trim().slice(0, SIGNATURE_CHARS);
}

/**
 * The failure's cause: the first rule whose pattern matches the raw message names it
 * (so messages that differ beyond what the normaliser masks still group); otherwise the
 * normalised message with the failed node's type and DLI queue (one message on two
 * queues is two outages). A failure with neither message nor node has no cause: such
 * failures are never grouped. A pattern that could run for very long is not used.
 */
export function causeOf(failure: FailureFacts, rules: readonly CauseRule[]): Cause | undefined {
  const message = failure.errorMessage?.trim() ? failure.errorMessage : undefined;
  const named = message === undefined ? undefined : namedCause(message, rules);
  if (named !== undefined) return { key: keyOf(['named', named.toLowerCase()]), text: named, named };
  const type = failure.failedNode?.type;
  const queue = failure.failedNode?.queue;
  if (message === undefined && type === undefined && queue === undefined) return undefined;
  const signature = message === undefined ? '' : normaliseMessage(message);
  const node = [type, queue === undefined ? undefined : `queue ${queue}`].filter((p) => p !== undefined);
  const text = `${signature || '(no message)'}${node.length > 0 ? ` (${node.join(', ')})` : ''}`;
  return { key: keyOf(['message', signature, type ?? '', queue ?? ''].map((p) => p.toLowerCase())), text };
}

function namedCause(message: string, rules: readonly CauseRule[]): string | undefined {
  const usable = rules.filter((rule) => unsafePattern(rule.pattern) === undefined);
  const pattern = firstMatch(
    usable.map((rule) => rule.pattern),
    message,
  );
  return usable.find((rule) => rule.pattern === pattern)?.cause;
}

/** 16 hex digits of the sha256 of the parts, separated so that no two lists of parts collide. */
function keyOf(parts: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}
