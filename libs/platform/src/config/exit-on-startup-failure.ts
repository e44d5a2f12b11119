import { InvalidConfigurationError } from './platform-config';

/** SQLite's and the file system's ways of saying a file cannot be written or opened where it lies. */
const NOT_WRITABLE_CODES = new Set(['SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'EACCES', 'EPERM', 'EROFS']);

/**
 * The line a failed start prints: a configuration mistake names the variable; a data directory the process cannot
 * write (read-only, another owner) names DATA_DIR; anything else its stack.
 */
export function startupFailureText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (error instanceof InvalidConfigurationError) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NOT_WRITABLE_CODES.has(code)) {
    const message = error instanceof Error ? error.message : String(error);
    return `Cannot start: the data directory cannot be written (${code}: ${message}); check that DATA_DIR (${env['DATA_DIR'] ?? './data'}) is writable by this process`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** For a deployable's main: prints the failure in one line where it can (startupFailureText) and exits. */
export function exitOnStartupFailure(error: unknown): never {
  process.stderr.write(`${startupFailureText(error)}\n`);
  process.exit(1);
}
