import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { sqliteWriterLockFree } from '@as2-partners/kernel-testing';
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

  const writerLockFree = () => sqliteWriterLockFree(join(dataDir, 'events.sqlite'));

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
