/** Structured JSON logs, one object per line (CloudWatch and jq friendly). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, data?: Record<string, unknown>): void;
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

/**
 * A logger writing JSON lines through `write` (stderr for the CLI, stdout in Lambda).
 * Any of the `redact` values (secrets) that reaches a line is replaced, as a last
 * line of defence: nothing logs a secret on purpose.
 */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void,
  base: Record<string, unknown> = {},
  redact: readonly string[] = [],
): Logger {
  const secrets = redact.filter((value) => value.length >= 4);
  const emit =
    (at: LogLevel) =>
    (message: string, data: Record<string, unknown> = {}) => {
      if (ORDER[at] < ORDER[level]) return;
      let line = JSON.stringify({ level: at, time: new Date().toISOString(), message, ...base, ...data });
      for (const secret of secrets) line = line.split(secret).join('[REDACTED]');
      write(`${line}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
