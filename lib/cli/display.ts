import { DEFAULT_DISPLAY, type DisplaySettings } from '../config/schema/display';
import type { Locale } from '../text/i18n';

/**
 * How the command line shows things to this person: the configuration's `display` where
 * it says, else the language of the environment (`LC_ALL`, then `LC_MESSAGES`, then
 * `LANG`, as POSIX orders them: `zh_CN.UTF-8` or `zh` reads Chinese), else English.
 * JSON output never changes with it.
 */
export function displayFor(
  configured: Partial<DisplaySettings> | undefined,
  env: Readonly<Record<string, string | undefined>>,
): DisplaySettings {
  return {
    locale: configured?.locale ?? localeOfEnv(env) ?? DEFAULT_DISPLAY.locale,
    timeZone: configured?.timeZone ?? DEFAULT_DISPLAY.timeZone,
  };
}

function localeOfEnv(env: Readonly<Record<string, string | undefined>>): Locale | undefined {
  const value = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== '');
  if (value === undefined) return undefined;
  return /^zh(?:[_-]|$)/i.test(value) ? 'zh-CN' : 'en';
}
