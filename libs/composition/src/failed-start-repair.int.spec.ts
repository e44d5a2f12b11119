import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotStartError } from '@as2-partners/kernel';
import { contractEvent, sqliteWriterLockFree } from '@as2-partners/kernel-testing';
import { isStoreOutage, loadPlatformConfig, startFailedWith, startSucceeded } from '@as2-partners/platform';
import { openInfrastructure } from './open-infrastructure';

/** Random bytes over the middle third of a file: pages SQLite wrote, now not what it wrote. */
function corruptMiddle(file: string): void {
  const size = statSync(file).size;
  const fd = openSync(file, 'r+');
  writeSync(fd, randomBytes(Math.floor(size / 3)), 0, Math.floor(size / 3), Math.floor(size / 3));
  closeSync(fd);
}

/** What better-sqlite3 throws on a page that is not what SQLite wrote. */
const corruptionError = () => Object.assign(new Error('database disk image is malformed'), { code: 'SQLITE_CORRUPT' });

describe('a start that fails on a corrupt SQLite page (embedded mode)', () => {
  let dataDir: string;
  const open = () => openInfrastructure(loadPlatformConfig({ DATA_DIR: dataDir }), 'spec');
  const marker = () => join(dataDir, 'read-models.sqlite.corrupt');
  const writerLockFree = () => sqliteWriterLockFree(join(dataDir, 'events.sqlite'));

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-failed-start-'));
  });
  afterEach(() => {
    startSucceeded();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('marks the read-model file even when its quick check finds nothing, so the next start rebuilds it instead of failing again', async () => {
    const infrastructure = await open();
    try {
      await startFailedWith(new Error('the start failed', { cause: corruptionError() }));
      expect(existsSync(marker())).toBe(true);
    } finally {
      await infrastructure.close();
    }
  });

  it('closes what it opened for a start that fails (Nest closes only an app it finished creating): the data directory is free again', async () => {
    const infrastructure = await open();
    expect(writerLockFree()).toBe(false);
    await startFailedWith(new Error('a later provider refused a setting'));
    expect(writerLockFree()).toBe(true);
    await infrastructure.close();
  });

  it('marks nothing for a start that failed on anything else, or for a start that succeeded', async () => {
    const infrastructure = await open();
    try {
      await startFailedWith(new Error('EADDRINUSE'));
      expect(existsSync(marker())).toBe(false);
    } finally {
      await infrastructure.close();
    }
    const later = await open();
    try {
      startSucceeded();
      await startFailedWith(corruptionError());
      expect(existsSync(marker())).toBe(false);
    } finally {
      await later.close();
    }
  });

  it('with the event store file corrupt, marks nothing (a rebuild from it would not help), readiness names that file, and the start fails naming it', async () => {
    const first = await open();
    for (let i = 0; i < 40; i++) await first.eventStore.append(`s-${i}`, Array.from({ length: 50 }, () => contractEvent()), 'no_stream');
    await first.close();
    const file = join(dataDir, 'events.sqlite');
    corruptMiddle(file);
    const infrastructure = await open();
    try {
      // A request meeting the corruption: answered 503, and the stores check their files.
      expect(isStoreOutage(corruptionError())).toBe(true);
      const eventStore = infrastructure.probes.find((probe) => probe.name === 'eventStore');
      await expect(eventStore?.ping()).rejects.toThrow(/event store file is corrupt/);
      const failure = await startFailedWith(corruptionError());
      expect(existsSync(marker())).toBe(false);
      // Not the read-model file's advice (a restart repairs it): this file, and a backup.
      expect(failure).toBeInstanceOf(CannotStartError);
      expect(failure?.message).toMatch(new RegExp(`^the event store file ${file} is corrupt \\(.+\\): no restart repairs it; stop the service and restore the file from a backup`));
    } finally {
      await infrastructure.close();
    }
  });

  it('with the secret file corrupt, marks nothing, readiness names that file, and the start fails naming it', async () => {
    const first = await open();
    const keys = first.secrets.collection<{ _id: string; account: string; tenant: null; sealed: string }>('spec-keys');
    for (let i = 0; i < 200; i++) await keys.put({ _id: `k-${i}`, account: 'a', tenant: null, sealed: randomBytes(2048).toString('base64') });
    await first.close();
    const file = join(dataDir, 'secrets.sqlite');
    corruptMiddle(file);
    const infrastructure = await open();
    try {
      expect(isStoreOutage(corruptionError())).toBe(true);
      const secretStore = infrastructure.probes.find((probe) => probe.name === 'secretStore');
      await expect(secretStore?.ping()).rejects.toThrow(`the secret file ${file} is corrupt`);
      const failure = await startFailedWith(corruptionError());
      expect(existsSync(marker())).toBe(false);
      expect(failure?.message).toMatch(new RegExp(`^the secret file ${file} is corrupt \\(.+\\): no restart repairs it; stop the service and restore the file from a backup`));
    } finally {
      await infrastructure.close();
    }
  });

  it.each(['events.sqlite', 'secrets.sqlite'])('with %s cut short, fails to open naming that file and the data directory free again', async (name) => {
    const first = await open();
    for (let i = 0; i < 40; i++) await first.eventStore.append(`s-${i}`, Array.from({ length: 50 }, () => contractEvent()), 'no_stream');
    const keys = first.secrets.collection<{ _id: string; account: string; tenant: null; sealed: string }>('spec-keys');
    for (let i = 0; i < 40; i++) await keys.put({ _id: `k-${i}`, account: 'a', tenant: null, sealed: randomBytes(2048).toString('base64') });
    await first.close();
    const file = join(dataDir, name);
    truncateSync(file, 8192);
    const failure = await open().then(() => null, (error: unknown) => error);
    expect(failure).toBeInstanceOf(CannotStartError);
    expect((failure as Error).message).toMatch(new RegExp(`^the (event store|secret) file ${file} is corrupt \\(.+\\): no restart repairs it`));
    expect(writerLockFree()).toBe(true);
  });
});
