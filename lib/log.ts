import { type LogItem, Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { ConstructorOptions } from '@aws-lambda-powertools/logger/types';

/**
 * Structured JSON logs, one object per line, in the Powertools for AWS Lambda format
 * (`level`, `message`, `timestamp`, `service`, and in Lambda the request id, cold
 * start and sampling rate), so the usual `POWERTOOLS_*` variables and queries apply.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** What the core logs through: the project's own small interface, not a library's. */
export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const SERVICE_NAME = 'dataarts-autoretry';

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/** Shorter values are too likely to match ordinary text to be worth hiding. */
const MIN_SECRET_LENGTH = 4;

/**
 * The last step before a line is written: every known secret value in it, raw or as
 * JSON escapes it, becomes `[REDACTED]`. Working on the finished line covers all a
 * log call can carry (data, an error's message, stack and cause, keys). Nothing logs
 * a secret on purpose; this is the last line of defence. Secrets are only ever added,
 * so a rotated-out value stays hidden too.
 */
export class RedactingWriter {
  private forms: string[] = [];

  constructor(private readonly sink: (text: string) => void) {}

  addSecrets(values: readonly string[]): void {
    const forms = new Set(this.forms);
    for (const value of values) {
      if (value.length < MIN_SECRET_LENGTH) continue;
      forms.add(value);
      forms.add(JSON.stringify(value).slice(1, -1));
    }
    // Longest first, so a secret that contains another is hidden whole.
    this.forms = [...forms].sort((a, b) => b.length - a.length);
  }

  write(line: string): void {
    let text = line;
    for (const form of this.forms) text = text.split(form).join('[REDACTED]');
    this.sink(`${text}\n`);
  }
}

/**
 * A Powertools Logger that writes each record as one line through `out` (stdout in
 * Lambda, stderr for the command line, an array in tests). Log buffering is left off:
 * Powertools flushes a buffer straight to the console, past this writer.
 */
export function powertoolsLogger(out: RedactingWriter, options: ConstructorOptions = {}): PowertoolsLogger {
  class WriterLogger extends PowertoolsLogger {
    protected override printLog(_level: number, log: LogItem): void {
      log.prepareForPrint();
      out.write(JSON.stringify(log.getAttributes(), this.getJsonReplacer()));
    }

    // Children (createChild) write through the same writer.
    protected override createLogger(childOptions?: ConstructorOptions): PowertoolsLogger {
      return new WriterLogger(childOptions);
    }
  }
  return new WriterLogger({ serviceName: SERVICE_NAME, ...options });
}

/**
 * A logger writing JSON lines through `write` (stderr for the CLI). Any of the
 * `redact` values (secrets) that reaches a line is replaced: see RedactingWriter.
 */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  redact: readonly string[] = [],
): Logger {
  const out = new RedactingWriter(write);
  out.addSecrets(redact);
  return asLogger(
    powertoolsLogger(out, { logLevel: level.toUpperCase() as Uppercase<LogLevel>, persistentKeys: base }),
  );
}

/** Keys Powertools writes itself; it drops a data key of the same name (with a warning). */
const RESERVED = new Set(['level', 'message', 'sampling_rate', 'service', 'timestamp']);

/**
 * The project's Logger over a Powertools one: `data` becomes top-level keys of the
 * record, a reserved key as `data_<key>` (`{code, message}` from describeError keeps
 * its message).
 */
export function asLogger(logger: PowertoolsLogger): Logger {
  const at =
    (level: LogLevel) =>
    (message: string, data: Record<string, unknown> = {}) =>
      logger[level](
        message,
        Object.fromEntries(Object.entries(data).map(([k, v]) => [RESERVED.has(k) ? `data_${k}` : k, v])),
      );
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
