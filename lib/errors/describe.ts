import { AutoretryError } from './autoretry-error';
import { DataArtsError } from './dataarts-error';

/** A short, secret-free `{code, message}` for reports from any thrown value. */
export function describeError(error: unknown): { code: string; message: string } {
  if (error instanceof DataArtsError) {
    const details = [error.dlfCode, error.requestId ? `request id ${error.requestId}` : undefined].filter(
      Boolean,
    );
    return {
      code: error.code,
      message: `${error.message}${details.length ? ` (${details.join(', ')})` : ''}`,
    };
  }
  if (error instanceof AutoretryError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: error.name, message: error.message };
  return { code: 'UNKNOWN', message: String(error) };
}
