import { AutoretryError } from './autoretry-error';

/** The sweep was told to stop (the deadline, Ctrl-C) while it waited for this. */
export class SweepAbortedError extends AutoretryError<'ABORTED'> {
  override readonly name = 'SweepAbortedError';
  constructor(options: { message: string; cause?: unknown }) {
    super({ ...options, code: 'ABORTED' });
  }
}
