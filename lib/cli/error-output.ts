import { AutoretryError, ConfigError } from '../errors';
import type { OutStream } from '../render/out-stream';
import { REPORT_SCHEMA_VERSION } from '../sweep/report';
import type { CliMessages } from '../text/cli-messages';

/** What `--json` prints instead of a report when a command could not run: one JSON document. */
export interface ErrorDocument {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  error: {
    name: string;
    code: string;
    message: string;
    /** For configuration errors: one per field, naming what is allowed and what was given. */
    issues?: Array<{ field: string; problem: string }>;
  };
  exitCode: number;
}

export function errorDocument(error: unknown, exitCode: number): ErrorDocument {
  const name = error instanceof Error ? error.name : 'Error';
  const code = error instanceof AutoretryError ? String(error.code) : 'UNEXPECTED';
  const message = error instanceof Error ? error.message : String(error);
  const issues = error instanceof ConfigError ? error.issues.map((i) => ({ ...i })) : undefined;
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    error: { name, code, message, ...(issues ? { issues } : {}) },
    exitCode,
  };
}

/** Where an error goes, and in which words. */
export interface ErrorOutput {
  json: boolean;
  out: OutStream;
  err: OutStream;
  m: CliMessages;
}

/**
 * Writes an error for people (stderr, one line per problem, in the reader's language)
 * or, with --json, as one document on stdout, its problems in English as always.
 */
export function writeError(error: unknown, exitCode: number, { json, out, err, m }: ErrorOutput) {
  if (json) {
    out.write(`${JSON.stringify(errorDocument(error, exitCode), null, 2)}\n`);
    return;
  }
  if (error instanceof ConfigError) {
    for (const issue of error.issues) err.write(`${m.invalid(issue.field, m.problem(issue.problem))}\n`);
  } else if (error instanceof AutoretryError && error.name === 'AuthenticationError') {
    err.write(`dataarts-autoretry: ${error.message}\n`);
  } else {
    err.write(
      `dataarts-autoretry: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
  }
}
