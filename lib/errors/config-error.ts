import { AutoretryError } from './autoretry-error';

/** One problem in a configuration, event or secret: where it is and what is allowed. */
export interface ConfigIssue {
  readonly field: string;
  readonly problem: string;
}

/**
 * Invalid configuration, event, secret or command-line input. `field` names what is
 * wrong and `problem` says what is allowed; the two are the whole message, so this is
 * the one constructor that stays positional. Schema validation reports every problem
 * at once: `issues` holds them all (the first is `field`/`problem`), one per line of
 * the message.
 */
export class ConfigError extends AutoretryError<'CONFIG_INVALID'> {
  override readonly name = 'ConfigError';
  readonly issues: readonly ConfigIssue[];
  constructor(
    readonly field: string,
    readonly problem: string,
    more: readonly ConfigIssue[] = [],
  ) {
    const issues = [{ field, problem }, ...more];
    super({ message: issues.map((i) => `${i.field}: ${i.problem}`).join('\n'), code: 'CONFIG_INVALID' });
    this.issues = issues;
  }
}
