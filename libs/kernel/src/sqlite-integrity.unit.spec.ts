import { runInNewContext } from 'node:vm';
import { causedBySqliteCorruption, isSqliteCorruption, sqliteIntegrityProblem } from './sqlite-integrity';

const coded = (code: string) => Object.assign(new Error('database disk image is malformed'), { code });

describe('SQLite corruption, told apart from other failures', () => {
  it('by its code, through causes, or by SQLite’s words in a rethrown message; not by a path that merely says "corrupt"', () => {
    expect(isSqliteCorruption(coded('SQLITE_CORRUPT'))).toBe(true);
    expect(isSqliteCorruption(coded('SQLITE_CORRUPT_INDEX'))).toBe(true);
    expect(isSqliteCorruption(coded('SQLITE_NOTADB'))).toBe(true);
    expect(isSqliteCorruption(coded('SQLITE_BUSY'))).toBe(false);
    expect(causedBySqliteCorruption(new Error('start failed', { cause: new Error('init', { cause: coded('SQLITE_CORRUPT') }) }))).toBe(true);
    expect(causedBySqliteCorruption(new Error('a read-model commit failed: SqliteError: database disk image is malformed'))).toBe(true);
    expect(causedBySqliteCorruption(new Error("ENOENT: no such file or directory, open '/data/read-models.sqlite.corrupt'"))).toBe(false);
    expect(causedBySqliteCorruption('database disk image is malformed')).toBe(false);
    // An error of another realm (better-sqlite3's native part builds its errors with the first realm that loaded it).
    const foreign = runInNewContext("Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' })") as unknown;
    expect(foreign instanceof Error).toBe(false);
    expect(causedBySqliteCorruption(foreign)).toBe(true);
    expect(causedBySqliteCorruption(new Error('start failed', { cause: foreign }))).toBe(true);
  });

  it("reports quick_check's findings on one line, and a check that cannot run as a problem", () => {
    expect(sqliteIntegrityProblem({ pragma: () => [{ quick_check: 'ok' }] })).toBeNull();
    expect(sqliteIntegrityProblem({ pragma: () => [{ quick_check: '*** in database main ***\nTree 2 page 9: bad' }, { quick_check: 'row 3 missing' }] })).toBe(
      '*** in database main *** Tree 2 page 9: bad; row 3 missing',
    );
    expect(sqliteIntegrityProblem({ pragma: () => { throw coded('SQLITE_CORRUPT'); } })).toBe('database disk image is malformed');
  });
});
