import { WriteModel, type EventMetadata, type Snapshot } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemorySnapshotStore } from '@as2-partners/kernel-testing';
import { partnerDirectoryDecider, PartnerRegistryStreams } from '@as2-partners/partner-registry-domain';
import { AfterStart, type EventSourcingOptions } from '@as2-partners/platform';
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
  it('starts the restore after start, not before: a create arriving meanwhile waits for that same restore and sees every reservation', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new HeldSnapshots();
    Object.defineProperty(store, 'snapshots', { value: snapshots });
    const before = new WriteModel(store, { snapshotEvery: 10 });
    for (let i = 0; i < 25; i++) await before.decide(directory, partnerDirectoryDecider, reserve(i), metadata);

    snapshots.hold();
    const restarted = new WriteModel(store, { snapshotEvery: 10 });
    const afterStart = new AfterStart();
    new DirectoryWarmUp(restarted, {} as EventSourcingOptions, afterStart);
    const loadsAtStart = snapshots.loads;
    // Made (and registered) before ready; the restore begins once the app has started.
    await new Promise((resolve) => setImmediate(resolve));
    expect(snapshots.loads).toBe(loadsAtStart);
    afterStart.begin();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
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

  it('is the first work after start, ahead of works registered by modules as they init (the traffic directory refill)', async () => {
    const afterStart = new AfterStart();
    const order: string[] = [];
    const store = new InMemoryEventStore();
    Object.defineProperty(store, 'snapshots', { value: new InMemorySnapshotStore() });
    // a module's init registering its own first work, before or after this provider is made: made first, it runs first
    const warmUp = new DirectoryWarmUp(new WriteModel(store), {} as EventSourcingOptions, afterStart);
    jest.spyOn(warmUp, 'warm').mockImplementation(async () => void order.push('directories'));
    afterStart.register('refilling the traffic directory', () => void order.push('refill'), { first: true });
    afterStart.begin();
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['directories', 'refill']);
  });

  it('loads nothing in a context without projections (the rebuild command, a seeding run)', async () => {
    const store = new InMemoryEventStore();
    const snapshots = new InMemorySnapshotStore();
    Object.defineProperty(store, 'snapshots', { value: snapshots });
    const afterStart = new AfterStart();
    new DirectoryWarmUp(new WriteModel(store), { startProjections: false } as EventSourcingOptions, afterStart);
    afterStart.begin();
    await new Promise((resolve) => setImmediate(resolve));
    expect(snapshots.loads).toBe(0);
  });
});
