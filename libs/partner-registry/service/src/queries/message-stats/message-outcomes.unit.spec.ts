import { setTimeout as sleep } from 'node:timers/promises';
import type { ReadModelDocument, ReadModelStore } from '@as2-partners/kernel';
import { InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import type { DeletedTenants } from '@as2-partners/platform';
import type { PartnershipResolver } from '../exchange-views/partnership-resolver';
import { MESSAGE_OUTCOMES_COLLECTION, type MessageOutcome, type MessageOutcomeDocument, type MessageStatus } from './message-outcome.document';
import { MessageOutcomes } from './message-outcomes';

/** A store whose reads take a moment (as a read of a remote store does): a read's answer is what was stored when it began. */
function slowReads(store: ReadModelStore): ReadModelStore {
  return {
    ...store,
    collection: <T extends ReadModelDocument>(name: string) => {
      const collection = store.collection<T>(name);
      const get = async (id: string) => {
        const read = await collection.get(id);
        await sleep(2);
        return read;
      };
      return { ...collection, get };
    },
    close: () => store.close(),
  } as ReadModelStore;
}

const record = (messageId: string, status: MessageStatus, occurredAt: string): MessageOutcome => ({
  account: 'acc',
  tenant: 'ten',
  messageId,
  direction: 'outbound',
  as2From: 'US',
  as2To: 'ACME',
  status,
  occurredAt,
});

describe('MessageOutcomes', () => {
  it("keeps the latest outcome of each message when two batches naming it are recorded at once, whichever began first", async () => {
    const store = new InMemoryReadModelStore();
    const notDeleted: DeletedTenants = { isDeleted: async () => false };
    const resolver = { partnerOfMessage: async () => ({ partnerId: 'prt_acme' }) } as unknown as PartnershipResolver;
    const outcomes = new MessageOutcomes(slowReads(store), notDeleted, resolver);
    const ids = Array.from({ length: 20 }, (_, i) => `m${i}`);
    const newer = ids.map((id) => record(id, 'delivered', '2026-11-30T10:20:00.000Z'));
    const older = ids.map((id) => record(id, 'sent', '2026-11-30T10:10:00.000Z'));
    const answers = await Promise.all([outcomes.record(newer), outcomes.record(older)]);
    expect(answers).toEqual([{ applied: 20, ignored: 0 }, { applied: 0, ignored: 20 }]);
    const stored = await store.collection<MessageOutcomeDocument>(MESSAGE_OUTCOMES_COLLECTION).find({ filter: {} });
    expect(new Set(stored.items.map((outcome) => outcome.status))).toEqual(new Set(['delivered']));
    // The other way round: the older batch first, the newer one over it.
    const [first, second] = await Promise.all([
      outcomes.record(ids.map((id) => record(`${id}-b`, 'sent', '2026-11-30T10:10:00.000Z'))),
      outcomes.record(ids.map((id) => record(`${id}-b`, 'delivered', '2026-11-30T10:20:00.000Z'))),
    ]);
    expect([first.applied, second.applied]).toEqual([20, 20]);
    const all = await store.collection<MessageOutcomeDocument>(MESSAGE_OUTCOMES_COLLECTION).find({ filter: {} });
    expect(all.items.filter((outcome) => outcome.status !== 'delivered')).toEqual([]);
  });

  it('gives the event loop a turn within a long batch of a store that answers without waiting, its records all applied', async () => {
    const store = new InMemoryReadModelStore();
    // Each record's read takes ~1 ms of this thread, as a synchronous store's might: 40 are far more than a slice.
    const busyReads: ReadModelStore = {
      ...store,
      collection: <T extends ReadModelDocument>(name: string) => {
        const collection = store.collection<T>(name);
        return { ...collection, get: (id: string) => {
          for (const until = performance.now() + 1; performance.now() < until; );
          return collection.get(id);
        } };
      },
      close: () => store.close(),
    } as ReadModelStore;
    const outcomes = new MessageOutcomes(busyReads, { isDeleted: async () => false }, { partnerOfMessage: async () => ({ partnerId: 'prt_acme' }) } as unknown as PartnershipResolver);
    let turns = 0;
    const ticker = setInterval(() => (turns += 1), 0);
    try {
      const answer = await outcomes.record(Array.from({ length: 40 }, (_, i) => record(`busy-${i}`, 'delivered', '2026-11-30T10:20:00.000Z')));
      expect(answer).toEqual({ applied: 40, ignored: 0 });
      expect(turns).toBeGreaterThan(0);
    } finally {
      clearInterval(ticker);
    }
  });
});
