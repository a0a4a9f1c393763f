import * as v from 'valibot';
import { LOCALES, type Locale } from '../../text/i18n';
import { isTimeZone } from '../../text/time-format';
import { parseDuration } from '../../util/duration';
import { jsonSchema, strict } from './primitives';

/** When a summary is sent: every sweep, only when something happened, or only on problems. */
export type NotifyPolicy = 'always' | 'on-activity' | 'on-problem';

/** How notifications read and how often a lasting problem is repeated. */
export interface NotifySettings {
  locale: Locale;
  /** IANA zone for every time a message shows. */
  timeZone: string;
  /** A problem still there is announced again after this long (ms). */
  remindEveryMs: number;
}

export const DEFAULT_NOTIFY_SETTINGS: NotifySettings = {
  locale: 'en',
  timeZone: 'UTC',
  remindEveryMs: 6 * 3_600_000,
};

const validDuration = (value: string) => {
  try {
    return parseDuration(value, 'notify.remindEvery') >= 60_000;
  } catch {
    return false;
  }
};

/**
 * The config file's `notify` object: `{"locale": "zh-CN", "timeZone": "Asia/Shanghai",
 * "remindEvery": "6h"}`, every key optional. Meant to be embedded in the config schema.
 */
export const NotifySettingsSchema = v.pipe(
  strict({
    locale: v.optional(
      v.pipe(
        v.picklist(LOCALES, `must be one of ${LOCALES.join(', ')}`),
        jsonSchema({ description: 'Language of the notifications (default en).' }),
      ),
    ),
    timeZone: v.optional(
      v.pipe(
        v.string(),
        v.check(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai'),
        jsonSchema({ description: 'IANA time zone of the times notifications show (default UTC).' }),
      ),
    ),
    remindEvery: v.optional(
      v.pipe(
        v.string(),
        v.check(validDuration, 'must be a duration of at least 1m, e.g. "6h"'),
        jsonSchema({
          description: 'How often a lasting problem is announced again (at least 1m, default 6h), e.g. "6h".',
        }),
      ),
    ),
  }),
  v.transform(
    (raw): NotifySettings => ({
      locale: raw.locale ?? DEFAULT_NOTIFY_SETTINGS.locale,
      timeZone: raw.timeZone ?? DEFAULT_NOTIFY_SETTINGS.timeZone,
      remindEveryMs: raw.remindEvery
        ? parseDuration(raw.remindEvery, 'notify.remindEvery')
        : DEFAULT_NOTIFY_SETTINGS.remindEveryMs,
    }),
  ),
);

/** The settings of a parsed config (its `notify` section, defaults filled in). */
export function notifySettingsOf(config: { notify?: NotifySettings }): NotifySettings {
  return config.notify ?? DEFAULT_NOTIFY_SETTINGS;
}
