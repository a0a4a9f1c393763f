import { settingsFromEnv } from '../config/lambda-env';
import { ConfigError } from '../errors';

/** The marker serverless.yml's default params carry where a stage must set its own value. */
export const PLACEHOLDER = 'replace-me';

/** Variables whose default is a placeholder, and the stage param that sets each. */
const PLACEHOLDER_PARAMS: Readonly<Record<string, string>> = {
  AUTORETRY_TARGETS: 'targets',
  SECRET_ARN: 'secretArn',
};

/**
 * What is wrong with a stage before anything is uploaded, from the function's
 * environment as serverless.yml resolves it: placeholders left in a stage whose
 * schedule is on, and every problem the function's own validator (settingsFromEnv)
 * would find at its first invocation, in the same words. Empty when the stage is fine.
 */
export function checkStage(
  environment: Readonly<Record<string, unknown>>,
  scheduleEnabled: boolean,
): string[] {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment))
    if (value !== undefined && value !== null)
      env[name] = typeof value === 'string' ? value : JSON.stringify(value);
  const problems: string[] = [];
  if (scheduleEnabled) {
    for (const [name, param] of Object.entries(PLACEHOLDER_PARAMS)) {
      if (env[name]?.includes(PLACEHOLDER))
        problems.push(
          `param ${param} still holds the placeholder (${PLACEHOLDER}) while the schedule is enabled: set it for this stage, or scheduleEnabled: false`,
        );
    }
  }
  try {
    settingsFromEnv(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const issue of error.issues) problems.push(`invalid ${issue.field}: ${issue.problem}`);
  }
  return problems;
}
