import { CannotStartError } from '@as2-partners/kernel';
import { InvalidConfigurationError } from './platform-config';

/** SQLite's and the file system's ways of saying a file cannot be written or opened where it lies. */
const NOT_WRITABLE_CODES = new Set(['SQLITE_READONLY', 'SQLITE_READONLY_DIRECTORY', 'SQLITE_READONLY_DBMOVED', 'SQLITE_CANTOPEN', 'EACCES', 'EPERM', 'EROFS']);

/** The file system's ways of saying DATA_DIR (or a directory above it) is a file. */
const NOT_A_DIRECTORY_CODES = new Set(['ENOTDIR', 'EEXIST']);

/**
 * The line a failed start prints: a configuration mistake names the variable; an address it cannot listen on names
 * PORT and HOST; a data directory the process cannot write (read-only, another owner, a file) names DATA_DIR; a
 * refusal that tells its own reason (CannotStartError: another process writes the event store) that reason; anything
 * else its stack.
 */
export function startupFailureText(error: unknown, env: NodeJS.ProcessEnv = process.env): string {
  if (error instanceof InvalidConfigurationError) return error.message;
  if (error instanceof CannotStartError) return `Cannot start: ${error.message}`;
  const { code, syscall, hostname, message: errorMessage } = (error ?? {}) as { code?: unknown; syscall?: unknown; hostname?: unknown; message?: unknown };
  const message = typeof errorMessage === 'string' ? errorMessage : String(error);
  // Before the file codes: a port below 1024 without the privilege is an EACCES too.
  if (syscall === 'listen' || (syscall === 'getaddrinfo' && hostname === env['HOST'])) {
    return `Cannot start: cannot listen (${String(code)}: ${message}); check PORT (${env['PORT'] ?? '3000'}) and HOST (${env['HOST'] ?? 'unset'}): a free port this process may bind, an address or a host name of this machine`;
  }
  if (typeof code === 'string' && NOT_A_DIRECTORY_CODES.has(code) && syscall === 'mkdir') {
    return `Cannot start: the data directory cannot be made (${code}: ${message}); check that DATA_DIR (${env['DATA_DIR'] ?? './data'}) names a directory, not a file`;
  }
  if (typeof code === 'string' && NOT_WRITABLE_CODES.has(code)) {
    // the directory or one of its files (a read-only secrets.sqlite): SQLite does not say which
    return `Cannot start: the data directory or a file in it cannot be written (${code}: ${message}); check that DATA_DIR (${env['DATA_DIR'] ?? './data'}) and its files are writable by this process`;
  }
  return error instanceof Error ? (error.stack ?? error.message) : String(error);
}

/** For a deployable's main: prints the failure in one line where it can (startupFailureText) and exits. */
export function exitOnStartupFailure(error: unknown): never {
  process.stderr.write(`${startupFailureText(error)}\n`);
  process.exit(1);
}
