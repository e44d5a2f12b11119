import { InvalidConfigurationError } from './platform-config';

/** For a deployable's main: a configuration mistake prints one line naming the variable; anything else its stack. */
export function exitOnStartupFailure(error: unknown): never {
  const text = error instanceof InvalidConfigurationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}
