/**
 * Request paths built from parameters, each put in as exactly one path segment. A
 * job name comes from a list answer: if it could add segments (`x/../../jobs/victim`)
 * or be a dot segment the URL parser removes, a restart would go to another job.
 */
import { MalformedResponseError } from '../errors';
import { percentEncode } from './signer';

/** Why a value cannot be a path segment, or undefined when it can. */
export function segmentProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (value === '.' || value === '..') return 'is a dot segment';
  // C0 controls, DEL and C1 controls: never part of a name, easy to hide in a log.
  if (/\p{Cc}/u.test(value)) return 'contains control characters';
  return undefined;
}

/**
 * `/seg1/seg2/...`, each segment percent-encoded on its own (`/` becomes `%2F`), as
 * sent on the wire and as signed. A segment `segmentProblem` refuses throws a
 * MalformedResponseError `UNSAFE_PATH` before anything is sent (the value came from an
 * answer); list answers are checked when read, so this is the last line of defence.
 */
export function apiPath(...segments: string[]): string {
  return segments
    .map((segment, index) => {
      const problem = segmentProblem(segment);
      if (problem) {
        throw new MalformedResponseError({
          message: `path parameter ${index + 1} ${problem}: request not sent`,
          code: 'UNSAFE_PATH',
          request: { method: '-', path: '(refused before sending)' },
        });
      }
      return `/${percentEncode(segment)}`;
    })
    .join('');
}
