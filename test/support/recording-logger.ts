import type { Logger } from '../../lib/log';

export interface LoggedLine {
  level: string;
  message: string;
  data?: Record<string, unknown>;
}

/** A logger that keeps every line. */
export function recordingLogger(): { logger: Logger; lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at = (level: string) => (message: string, data?: Record<string, unknown>) =>
    lines.push({ level, message, ...(data ? { data } : {}) });
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger, lines };
}

/** A logger that keeps its warnings, without their level; the other lines are dropped. */
export function warningsLogger(): { logger: Logger; warnings: Array<Omit<LoggedLine, 'level'>> } {
  const warnings: Array<Omit<LoggedLine, 'level'>> = [];
  const logger: Logger = {
    debug() {},
    info() {},
    warn: (message, data) => warnings.push({ message, ...(data ? { data } : {}) }),
    error() {},
  };
  return { logger, warnings };
}
