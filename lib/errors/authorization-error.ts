import { DataArtsError } from './dataarts-error';

/** 403 (or DLF.6888): the credentials are valid but not allowed to do this. */
export class AuthorizationError extends DataArtsError {
  override readonly name = 'AuthorizationError';
}
