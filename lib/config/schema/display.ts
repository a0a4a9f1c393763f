import * as v from 'valibot';
import { LOCALES, type Locale } from '../../text/i18n';
import { isTimeZone } from '../../text/time-format';
import { jsonSchema, strict } from './primitives';

/** How the command line shows a sweep to a person (piped and --json output never change). */
export interface DisplaySettings {
  locale: Locale;
  /** IANA zone of every time the terminal shows. */
  timeZone: string;
}

export const DEFAULT_DISPLAY: DisplaySettings = { locale: 'en', timeZone: 'UTC' };

/** The config file's `display` object, e.g. `{"locale": "zh-CN", "timeZone": "Asia/Shanghai"}`. */
export const DisplaySchema = v.pipe(
  strict({
    locale: v.optional(
      v.pipe(
        v.picklist(LOCALES, `must be one of ${LOCALES.join(', ')}`),
        jsonSchema({ description: 'Language of the command line table and summary.', default: 'en' }),
      ),
    ),
    timeZone: v.optional(
      v.pipe(
        v.string(),
        v.check(isTimeZone, 'must be an IANA time zone, e.g. Asia/Shanghai'),
        jsonSchema({ description: 'IANA time zone of the times the command line shows.', default: 'UTC' }),
      ),
    ),
  }),
  v.transform(
    (raw): DisplaySettings => ({
      locale: raw.locale ?? DEFAULT_DISPLAY.locale,
      timeZone: raw.timeZone ?? DEFAULT_DISPLAY.timeZone,
    }),
  ),
);
