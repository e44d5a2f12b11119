import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import Database from 'better-sqlite3';
import { INFRASTRUCTURE } from '@as2-partners/platform';
import { createEmbeddedTestApp } from './create-embedded-test-app';

/** A provider created after the adapters were opened (it needs them) that refuses its setting, as a bad one would. */
@Module({ providers: [{ provide: 'REFUSING_SETTING', inject: [INFRASTRUCTURE], useFactory: () => { throw new Error('SOME_SETTING is not valid'); } }] })
class RefusingModule {}

describe('a start that fails while Nest creates the providers', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-failed-start-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  /** Whether another writer could take the event store's lock now (SQLite's locks hold between connections of one process too). */
  const writerLockFree = () => {
    const lock = new Database(join(dataDir, 'events.sqlite.lock'), { timeout: 0 });
    try {
      lock.pragma('locking_mode = EXCLUSIVE');
      lock.exec('BEGIN EXCLUSIVE');
      lock.exec('COMMIT');
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_BUSY') return false;
      throw error;
    } finally {
      lock.close();
    }
  };

  it('rejects with the provider error and leaves nothing open: the data directory is free for the next start', async () => {
    await expect(createEmbeddedTestApp({ imports: [RefusingModule], dataDir })).rejects.toThrow('SOME_SETTING is not valid');
    expect(writerLockFree()).toBe(true);
    const next = await createEmbeddedTestApp({ imports: [], dataDir });
    try {
      expect((await next.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    } finally {
      await next.close();
    }
  });
});
