import { READ_MODEL_STORE, type ReadModelStore } from '@as2-partners/kernel';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { PartnerRegistryModule } from '../partner-registry.module';
import { MESSAGE_OUTCOME_INDEXES, MESSAGE_OUTCOMES_COLLECTION, type MessageOutcomeDocument } from '../queries/message-stats/message-outcome.document';
import { MessageStatsQuery } from '../queries/message-stats/message-stats.query';

const outcome = (i: number, partnerId: string | undefined): MessageOutcomeDocument => ({
  _id: `acme|t1|<m${i}@x>`,
  account: 'acme',
  tenant: 't1',
  messageId: `<m${i}@x>`,
  direction: i % 2 === 0 ? 'outbound' : 'inbound',
  as2From: i % 2 === 0 ? 'US' : 'ACME',
  as2To: i % 2 === 0 ? 'ACME' : 'US',
  partnerAs2Id: 'ACME',
  ...(partnerId === undefined ? {} : { partnerId }),
  status: i % 10 === 0 ? 'failed' : 'delivered',
  occurredAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
});

describe("a partner's message statistics (embedded store)", () => {
  let t: EmbeddedTestApp;
  let store: ReadModelStore;
  let stats: MessageStatsQuery;

  beforeEach(async () => {
    t = await createEmbeddedTestApp({ imports: [PartnerRegistryModule] });
    store = t.app.get<ReadModelStore>(READ_MODEL_STORE);
    stats = t.app.get(MessageStatsQuery);
  });
  afterEach(() => t?.close());

  it('reads no stored message to count them: the cost of a read does not grow with the messages a partner has had', async () => {
    const outcomes = store.collection<MessageOutcomeDocument>(MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES);
    await outcomes.putMany(Array.from({ length: 2000 }, (_, i) => outcome(i, i < 1990 ? 'prt_acme' : 'prt_other')));
    const parse = jest.spyOn(JSON, 'parse');
    try {
      const counted = await stats.statsOf('acme', 't1', { partnerId: 'prt_acme', as2Id: 'ACME' });
      expect(counted).toEqual({ total_sent: 995, total_received: 995, success_rate: 90, last_message_at: '2026-01-01T00:33:09.000000Z' });
      // The latest message and those of its millisecond are read; none of the 2,000 is read to be counted (a count
      // through the documents parses each of them once a count, 8,000 in all; the bound leaves room for the app's own work).
      expect(parse.mock.calls.length).toBeLessThan(200);
    } finally {
      parse.mockRestore();
    }
  });

  it('counts the messages an earlier version recorded without their partner only since the partner was created, the same way', async () => {
    const outcomes = store.collection<MessageOutcomeDocument>(MESSAGE_OUTCOMES_COLLECTION, MESSAGE_OUTCOME_INDEXES);
    await outcomes.putMany([...Array.from({ length: 100 }, (_, i) => outcome(i, undefined)), ...Array.from({ length: 10 }, (_, i) => outcome(100 + i, 'prt_acme'))]);
    const counted = await stats.statsOf('acme', 't1', { partnerId: 'prt_acme', as2Id: 'ACME', createdAt: new Date(Date.UTC(2026, 0, 1) + 50_000).toISOString() });
    // 50 recorded without a partner since its creation (49 of them before the 10 counted for it), 10 counted for it.
    expect(counted).toEqual({ total_sent: 30, total_received: 30, success_rate: 90, last_message_at: '2026-01-01T00:01:49.000000Z' });
  });
});
