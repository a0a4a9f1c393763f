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

/** A logger writing JSON lines through `write` (stderr for the CLI, stdout in Lambda). */
export function jsonLogger(
  level: LogLevel,
  write: (line: string) => void,
  base: Record<string, unknown> = {},
): Logger {
  const emit =
    (at: LogLevel) =>
    (message: string, data: Record<string, unknown> = {}) => {
      if (ORDER[at] < ORDER[level]) return;
      write(`${JSON.stringify({ level: at, time: new Date().toISOString(), message, ...base, ...data })}\n`);
    };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}
