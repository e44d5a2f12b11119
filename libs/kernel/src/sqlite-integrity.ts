/** SQLite's answer when a file's pages are not what it wrote (a torn disk, a foreign write): SQLITE_CORRUPT*, SQLITE_NOTADB. */
export function isSqliteCorruption(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB');
}

/** SQLite's own words for a corrupt file, for an error that carries them without its code (rethrown as a message). */
const SQLITE_CORRUPTION_MESSAGE = /database disk image is malformed|file is not a database/;

/**
 * Whether `error`, or an error it was caused by (a start's wrapped failure), is SQLite's corruption error: by its code,
 * or by SQLite's message inside another error's.
 */
export function causedBySqliteCorruption(error: unknown): boolean {
  let current: unknown = error;
  // Not `instanceof Error`: an error made in another realm (a native module's, bound to the first that loaded it) is not one.
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { message, cause } = current as { message?: unknown; cause?: unknown };
    if (isSqliteCorruption(current) || (typeof message === 'string' && SQLITE_CORRUPTION_MESSAGE.test(message))) return true;
    current = cause;
  }
  return false;
}

/** The little of a SQLite connection an integrity check needs (better-sqlite3's `pragma`). */
export interface PragmaRunner {
  pragma(source: string): unknown;
}

/** What `PRAGMA quick_check` finds wrong with the connection's file (its first three problems); null when nothing. */
export function sqliteIntegrityProblem(db: PragmaRunner): string | null {
  try {
    const rows = db.pragma('quick_check(3)') as { quick_check: string }[];
    if (rows.length === 1 && rows[0]?.quick_check === 'ok') return null;
    // One line: SQLite's report spans several, which a log line should not.
    return rows.map((row) => row.quick_check.replace(/\s+/g, ' ').trim()).join('; ');
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
