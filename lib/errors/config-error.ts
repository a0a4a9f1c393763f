import { AutoretryError } from './autoretry-error';

/**
 * Invalid configuration, event, secret or command-line input. `field` names what is
 * wrong and `problem` says what is allowed; the two are the whole message, so this is
 * the one constructor that stays positional.
 */
export class ConfigError extends AutoretryError<'CONFIG_INVALID'> {
  override readonly name = 'ConfigError';
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super({ message: `${field}: ${problem}`, code: 'CONFIG_INVALID' });
  }
}
