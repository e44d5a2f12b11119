import { ConsoleLogger } from '@nestjs/common';
import { InvalidConfigurationError } from '../config/invalid-configuration.error';

/** Nest's JSON logger, except that a configuration error is left to the deployable's one-line report (exitOnStartupFailure). */
export class StartupLogger extends ConsoleLogger {
  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (message instanceof InvalidConfigurationError) return;
    super.error(message, ...optionalParams);
  }
}
