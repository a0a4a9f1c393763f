import { DataArtsError } from './dataarts-error';

/** 400 DLF.0137 (or DLF.30137): the instance does not exist (any more). */
export class InstanceNotFoundError extends DataArtsError {
  override readonly name = 'InstanceNotFoundError';
}
