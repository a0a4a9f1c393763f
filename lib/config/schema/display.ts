import * as v from 'valibot';
import { LOCALES, type Locale } from '../../text/i18n';
import { isTimeZone } from '../../text/time-format';
import { jsonSchema, strict } from './primitives';

/** How the command line shows a sweep to a person (piped and --json output never change). */
export interface DisplaySettings {
  /** Unset in the file: the environment's language decides (lib/cli/display.ts). */
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
        jsonSchema({
          description:
            "Language of the command line table and summary; by default the environment's (LC_ALL, LC_MESSAGES, LANG: zh_CN.UTF-8 reads zh-CN), else en.",
        }),
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
  // The language only as the file says it: unset, the environment's decides (lib/cli/display.ts).
  v.transform((raw): Partial<DisplaySettings> & Pick<DisplaySettings, 'timeZone'> => ({
    ...(raw.locale === undefined ? {} : { locale: raw.locale }),
    timeZone: raw.timeZone ?? DEFAULT_DISPLAY.timeZone,
  })),
);
