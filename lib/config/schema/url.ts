import * as v from 'valibot';
import { jsonSchema, say, text } from './primitives';

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const isHttp = (value: string) => /^https?:$/.test(parse(value)?.protocol ?? '');
const hasCredentials = (value: string) => {
  const url = parse(value);
  return url !== undefined && (url.username !== '' || url.password !== '');
};

/**
 * An http(s) URL without user or password, trailing slashes dropped: the one URL rule
 * for every endpoint in the configuration (plain http is for local emulators).
 * `description` is written here, before the transform: the JSON schema (and the
 * configuration reference) is converted up to a schema's first transform, so a
 * description piped after this one would be dropped.
 */
export function httpUrl(description?: string) {
  return v.pipe(
    text(),
    v.check(isHttp, say('must be an http(s) URL')),
    v.check((value) => !hasCredentials(value), 'must not contain credentials'),
    jsonSchema({
      format: 'uri',
      pattern: '^[Hh][Tt][Tt][Pp][Ss]?://[^/?#@\\s]+([/?#]|$)',
      ...(description ? { description } : {}),
    }),
    v.transform((value) => value.replace(/\/+$/, '')),
  );
}
