import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startupFailureText } from './exit-on-startup-failure';
import { InvalidConfigurationError } from './platform-config';

describe('startupFailureText', () => {
  it('names the variable of a configuration mistake', () => {
    expect(startupFailureText(new InvalidConfigurationError('PORT', 'must be an integer 1-65535, got "x"'))).toBe('Invalid configuration: PORT must be an integer 1-65535, got "x"');
  });

  it('says in one line that DATA_DIR cannot be written when SQLite refuses to write its file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'startup-failure-'));
    try {
      new Database(join(dir, 'events.sqlite')).close();
      const readOnly = new Database(join(dir, 'events.sqlite'), { readonly: true });
      let refused: unknown;
      try {
        readOnly.exec('CREATE TABLE t (x)');
      } catch (error) {
        refused = error;
      } finally {
        readOnly.close();
      }
      const text = startupFailureText(refused, { DATA_DIR: dir });
      expect(text).toMatch(/^Cannot start: the data directory cannot be written \(SQLITE_READONLY: .*\); check that DATA_DIR \(.*startup-failure-.*\) is writable by this process$/);
      expect(text).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps the stack of anything else', () => {
    const error = new Error('boom');
    expect(startupFailureText(error)).toBe(error.stack);
  });
});
