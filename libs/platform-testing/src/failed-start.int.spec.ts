import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { sqliteWriterLockFree } from '@as2-partners/kernel-testing';
import { openInfrastructure } from '@as2-partners/composition';
import { createHttpApp, INFRASTRUCTURE, loadPlatformConfig, type OpenInfrastructure } from '@as2-partners/platform';
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

  it('a store failing with corruption while the app is set up, before its init, marks the read-model file and leaves nothing open', async () => {
    const corrupt = Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });
    const open: OpenInfrastructure = async (config, clientId) => {
      const connections = await openInfrastructure(config, clientId);
      const collection = connections.readModels.collection.bind(connections.readModels);
      // The idempotency keys' collection is made between the providers' creation and init.
      connections.readModels.collection = ((name: string, indexes?: unknown) => {
        if (name === 'platform_idempotency_keys') throw corrupt;
        return collection(name, indexes as never);
      }) as typeof connections.readModels.collection;
      return connections;
    };
    const config = loadPlatformConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', JWT_SECRET: 'failed-start-spec-secret-0123456789abcdef' });
    await expect(createHttpApp({ module: class SetUpFailureModule {} }, config, { openInfrastructure: open, shutdownHooks: false })).rejects.toBe(corrupt);
    expect(existsSync(join(dataDir, 'read-models.sqlite.corrupt'))).toBe(true);
    expect(writerLockFree()).toBe(true);
  });
});
