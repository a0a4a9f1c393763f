import { DataArtsError } from './dataarts-error';

/** Any other 400 on restart: DataArts refused, e.g. the status does not allow a rerun. */
export class RestartRejectedError extends DataArtsError {
  override readonly name = 'RestartRejectedError';
}
