import { DataArtsError } from './dataarts-error';

/** Any other 4xx answer that is not retried. */
export class RequestRejectedError extends DataArtsError {
  override readonly name = 'RequestRejectedError';
}
