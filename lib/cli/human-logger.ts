import { type Logger, type LogLevel, RedactingWriter } from '../log';
import type { Palette } from '../render/colour';

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** `key=value` pairs of a record's data, values in JSON only when they need quoting. */
function describe(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => {
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      return `${key}=${typeof value === 'string' && /^[^\s"=]+$/.test(value) ? text : JSON.stringify(text)}`;
    })
    .join(' ');
}

/**
 * Log records for a person at a terminal: `warning: target listing failed (target=prod
 * code=NETWORK ...)` instead of a JSON line. Same redaction as the JSON logger (the last
 * step before writing); `before` runs first, to clear a progress line.
 */
export function humanLogger(options: {
  level: LogLevel;
  write: (text: string) => void;
  palette: Palette;
  redact: readonly string[];
  before?: () => void;
}): Logger {
  const out = new RedactingWriter((text) => {
    options.before?.();
    options.write(text);
  });
  out.addSecrets(options.redact);
  const at =
    (level: LogLevel) =>
    (message: string, data: Record<string, unknown> = {}) => {
      if (RANK[level] < RANK[options.level]) return;
      const label = level === 'warn' ? 'warning' : level;
      const paint =
        level === 'error'
          ? options.palette.red
          : level === 'warn'
            ? options.palette.yellow
            : options.palette.dim;
      const details = describe(data);
      out.write(`${paint(`${label}:`)} ${message}${details ? ` (${details})` : ''}`);
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
