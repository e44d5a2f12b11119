import { copyFileSync, mkdtempSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CannotStartError } from '@as2-partners/kernel';
import { contractEvent, sqliteWriterLockFree } from '@as2-partners/kernel-testing';
import { loadPlatformConfig, startSucceeded, type InfrastructureConnections } from '@as2-partners/platform';
import { openInfrastructure } from './open-infrastructure';

describe('a start whose events.sqlite is behind what the read models have seen (embedded mode)', () => {
  let dataDir: string;
  const eventsFile = () => join(dataDir, 'events.sqlite');
  const readModelFile = () => join(dataDir, 'read-models.sqlite');
  const open = (purpose?: { rebuildsReadModels: boolean }) => openInfrastructure(loadPlatformConfig({ DATA_DIR: dataDir }), 'spec', purpose);
  const refusalOf = (purpose?: { rebuildsReadModels: boolean }) => open(purpose).then(async (opened) => void (await opened.close()), (error: unknown) => error);
  const removeEvents = () => ['', '-wal', '-shm'].forEach((suffix) => rmSync(`${eventsFile()}${suffix}`, { force: true }));

  /** Appends `streams` streams of 3 events and has a follower commit the store's head in the read models, as a projection would. */
  async function written(infrastructure: InfrastructureConnections, streams: number): Promise<number> {
    for (let i = 0; i < streams; i++) await infrastructure.eventStore.append(`s-${Math.random()}`, [contractEvent(), contractEvent(), contractEvent()], 'no_stream');
    const head = (await infrastructure.eventStore.lastPosition()) as number;
    await infrastructure.projectionCheckpoints.save('spec-projection', head);
    return head;
  }

  async function seeded(streams: number): Promise<number> {
    const first = await open();
    const head = await written(first, streams);
    await first.close();
    return head;
  }

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-events-behind-'));
  });
  afterEach(() => {
    startSucceeded();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['removed', removeEvents],
    ['cut to nothing', () => truncateSync(eventsFile(), 0)],
  ])('%s: refuses in one line naming events.sqlite and what to do, and the data directory is free again', async (_case, lose) => {
    const head = await seeded(20);
    lose();

    const failure = await refusalOf();
    expect(failure).toBeInstanceOf(CannotStartError);
    expect((failure as Error).message).toBe(
      `the event store file ${eventsFile()} holds no event, but the read models in ${readModelFile()} have followed it up to position ${head}: it was removed, cut or replaced by an older copy since. Stop the service and restore events.sqlite from its backup; to go on from the events it holds instead (an older copy, or none to start over empty), run npm run rebuild-read-models (which keeps the message outcomes and Idempotency-Key answers) or move the read-model files (read-models.sqlite*) aside first (README)`,
    );
    expect(sqliteWriterLockFree(eventsFile())).toBe(true);
    // Refused again, not served from the empty store the refused start left.
    expect(await refusalOf()).toBeInstanceOf(CannotStartError);
  });

  it('replaced by an older copy: refuses, naming the position the copy ends at and the one the read models reached', async () => {
    const copied = await seeded(5);
    const backup = join(dataDir, 'events-backup.sqlite');
    copyFileSync(eventsFile(), backup);
    const later = await open();
    const head = await written(later, 5);
    await later.close();
    copyFileSync(backup, eventsFile());

    const failure = await refusalOf();
    expect((failure as Error).message).toMatch(new RegExp(`^the event store file ${eventsFile()} ends at position ${copied}, but the read models in ${readModelFile()} have followed it up to position ${head}: `));
  });

  it('starts with a new data directory, with read models behind the events (they catch up), and with the read-model files moved aside too (starting over)', async () => {
    expect(await refusalOf()).toBeUndefined();
    const head = await seeded(5);
    const behind = await open();
    await behind.projectionCheckpoints.save('spec-projection', head - 4);
    await behind.close();
    expect(await refusalOf()).toBeUndefined();

    removeEvents();
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${readModelFile()}${suffix}`, { force: true });
    expect(await refusalOf()).toBeUndefined();
  });

  it("opens for a rebuild, bringing the checkpoints past the store's end back to it (a reactor's, which no rebuild replays): the start after it is not refused", async () => {
    const copied = await seeded(5);
    const backup = join(dataDir, 'events-backup.sqlite');
    copyFileSync(eventsFile(), backup);
    const later = await open();
    await written(later, 5);
    await later.close();
    copyFileSync(backup, eventsFile());

    const rebuild = await open({ rebuildsReadModels: true });
    expect(await rebuild.projectionCheckpoints.load('spec-projection')).toBe(copied);
    await rebuild.close();
    expect(await refusalOf()).toBeUndefined();

    removeEvents();
    const overEmpty = await open({ rebuildsReadModels: true });
    expect(await overEmpty.projectionCheckpoints.load('spec-projection')).toBeNull();
    await overEmpty.close();
    expect(await refusalOf()).toBeUndefined();
  });
});
