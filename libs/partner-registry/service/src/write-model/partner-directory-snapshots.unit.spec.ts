import { WriteModel, type EventMetadata, type NewEvent } from '@as2-partners/kernel';
import { InMemoryEventStore, InMemorySnapshotStore } from '@as2-partners/kernel-testing';
import { partnerDirectoryDecider, type PartnerDirectoryCommand } from '@as2-partners/partner-registry-domain';

const STREAM = 'partner_directory-acc.hub';
const NOW = '2026-12-03T10:00:00.000Z';
const metadata: EventMetadata = { account: 'acc', tenant: 'hub', correlationId: 'c', causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: NOW };

function reserve(i: number): PartnerDirectoryCommand {
  return { type: 'reserve_as2_id', as2Id: `HUB-${i}`, partnerId: `prt_${i}`, planLimit: null, staleReservations: [], now: NOW };
}

/** A hub's directory stream of `count` reservations, appended as the write model would. */
async function hubDirectory(count: number, snapshots: InMemorySnapshotStore): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  Object.defineProperty(store, 'snapshots', { value: snapshots });
  let state = partnerDirectoryDecider.initialState();
  let batch: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    for (const event of partnerDirectoryDecider.decide(reserve(i), state)) {
      state = partnerDirectoryDecider.evolve(state, event);
      batch.push({ id: `e-${i}`, type: event.type, schemaVersion: 1, data: event.data, metadata });
    }
    if (batch.length === 1000 || i === count - 1) {
      await store.append(STREAM, batch, i + 1 === batch.length ? 'no_stream' : i - batch.length);
      batch = [];
    }
  }
  return store;
}

/**
 * A snapshot of the partner directory is the whole directory written again (its store rewrites every part: 11.6 MB for
 * a hub of 100,000 partners), so how often one is saved decides whether a create's cost grows with the hub.
 */
describe('snapshots of a large partner directory', () => {
  it('are saved every tenth of the stream, not every 1,000 creates: their cost per create stays flat as the hub grows', async () => {
    const snapshots = new InMemorySnapshotStore();
    const store = await hubDirectory(15_000, snapshots);
    const writeModel = new WriteModel(store);
    await writeModel.load(STREAM, partnerDirectoryDecider);
    await writeModel.snapshotsSaved();
    const afterLoad = snapshots.saves;
    for (let i = 15_000; i < 16_200; i++) {
      await writeModel.decide(STREAM, partnerDirectoryDecider, reserve(i), metadata);
      await writeModel.snapshotsSaved();
    }
    // a tenth of ~15,000-16,000 events: no save in these 1,200 creates (every 1,000 would be one)
    expect(snapshots.saves - afterLoad).toBe(0);
    // and what it saved restores the directory the creates left
    const restored = await new WriteModel(store).load(STREAM, partnerDirectoryDecider);
    expect(restored.revision).toBe(16_199);
    expect(restored.state.reservations.size).toBe(16_200);
  }, 180_000);
});
