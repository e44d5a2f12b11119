import { WriteModel, type EventMetadata, type Snapshot } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemorySnapshotStore } from '@as2-partners/kernel-testing';
import { partnerDirectoryDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import type { EventSourcingOptions } from '@as2-partners/platform';
import { DirectoryWarmUp } from './directory-warm-up';

const metadata: EventMetadata = { account: 'acc', tenant: 'hub', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: '2026-01-01T00:00:00.000Z' };
const directory = PartnerRegistryStreams.tenantDirectory('acc', 'hub');
const reserve = (i: number) => ({ type: 'reserve_as2_id' as const, as2Id: `HUB-${i}`, partnerId: `prt_${i}`, planLimit: null, staleReservations: [], now: '2026-01-01T00:00:00.000Z' });

/** A snapshot store whose loads wait until released, to look at a restart while a directory is being restored. */
class HeldSnapshots extends InMemorySnapshotStore {
  private release: () => void = () => undefined;
  private held: Promise<void> | null = null;

  override async load(stream: string, name: string): Promise<Snapshot | null> {
    const snapshot = await super.load(stream, name);
    await this.held;
    return snapshot;
  }

  hold(): void {
    this.held = new Promise<void>((resolve) => (this.release = resolve));
  }

  letGo(): void {
    this.release();
  }
}

describe('DirectoryWarmUp', () => {
  it('restores the longest directory before ready, so the first create after a restart reads no snapshot and folds no event', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    Object.defineProperty(store, 'snapshots', { value: snapshots });
    const before = new WriteModel(store, { snapshotEvery: 10 });
    for (let i = 0; i < 25; i++) await before.decide(directory, partnerDirectoryDecider, reserve(i), metadata);
    await before.snapshotsSaved();

    const restarted = new WriteModel(store, { snapshotEvery: 10 });
    const warmUp = new DirectoryWarmUp(restarted, {} as EventSourcingOptions);
    const loadsAtStart = snapshots.loads;
    await warmUp.onApplicationBootstrap();
    expect(snapshots.loads - loadsAtStart).toBe(1);

    const reads = jest.spyOn(store, 'readStream');
    const duplicate = await restarted.decide(directory, partnerDirectoryDecider, { ...reserve(3), partnerId: 'prt_other' }, metadata, { attempts: 1 }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(duplicate).toMatchObject({ code: 'DUPLICATE_AS2_ID' });
    expect((await restarted.decide(directory, partnerDirectoryDecider, reserve(25), metadata, { attempts: 1 })).state.reservations.size).toBe(26);
    expect(snapshots.loads - loadsAtStart).toBe(1);
    // At most a look for events after the restored revision, which finds none.
    for (const read of reads.mock.results) expect(await read.value).toEqual([]);
  });

  it('holds the start for its budget at most: a longer restore goes on after ready, and a create meanwhile waits for that same restore', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new HeldSnapshots();
    Object.defineProperty(store, 'snapshots', { value: snapshots });
    const before = new WriteModel(store, { snapshotEvery: 10 });
    for (let i = 0; i < 25; i++) await before.decide(directory, partnerDirectoryDecider, reserve(i), metadata);
    await before.snapshotsSaved();

    snapshots.hold();
    const restarted = new WriteModel(store, { snapshotEvery: 10 });
    const warmUp = new DirectoryWarmUp(restarted, {} as EventSourcingOptions);
    warmUp.readyWaitMs = 30;
    const loadsAtStart = snapshots.loads;
    const started = performance.now();
    await warmUp.onApplicationBootstrap();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    expect(snapshots.loads - loadsAtStart).toBe(1);

    // A duplicate of a reserved AS2 id and a new one, decided while the restore is held: both wait for it.
    let decided = 0;
    const duplicate = restarted.decide(directory, partnerDirectoryDecider, { ...reserve(3), partnerId: 'prt_other' }, metadata, { attempts: 1 }).then(
      () => null,
      (error: unknown) => error,
    );
    const fresh = restarted.decide(directory, partnerDirectoryDecider, reserve(25), metadata, { attempts: 1 }).then((decision) => {
      decided += 1;
      return decision;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(decided).toBe(0);
    snapshots.letGo();
    expect(await duplicate).toMatchObject({ code: 'DUPLICATE_AS2_ID' });
    expect((await fresh).state.reservations.size).toBe(26);
    expect(snapshots.loads - loadsAtStart).toBe(1);
  });

  it('loads nothing in a context without projections (the rebuild command, a seeding run)', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    Object.defineProperty(store, 'snapshots', { value: snapshots });
    await new DirectoryWarmUp(new WriteModel(store), { startProjections: false } as EventSourcingOptions).onApplicationBootstrap();
    expect(snapshots.loads).toBe(0);
  });
});
