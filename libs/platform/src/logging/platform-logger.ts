import { Logger as PinoNestLogger, type PinoLogger } from 'nestjs-pino';
import type { Logger } from 'pino';
import { InvalidConfigurationError } from '../config/invalid-configuration.error';

/**
 * Nest's logger written through pino (nestjs-pino's adapter over the process's root logger): every Nest line has the
 * root logger's JSON shape, with the Nest context in `context`. A configuration error is left to the deployable's
 * one-line report (exitOnStartupFailure).
 */
export class PlatformLogger extends PinoNestLogger {
  constructor(readonly root: Logger) {
    // The adapter only calls the level methods, which a pino logger has with the same signatures.
    super(root as unknown as PinoLogger, {});
  }

  override error(message: unknown, ...optionalParams: unknown[]): void {
    if (message instanceof InvalidConfigurationError) return;
    super.error(message, ...optionalParams);
  }
}
