import { DataArtsError } from './dataarts-error';

/** The server answered, but not with the documented shape. */
export class MalformedResponseError extends DataArtsError {
  override readonly name = 'MalformedResponseError';
}
