import { DomainError, WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import { PartnerDirectoryService, type DirectoryScope } from './partner-directory.service';

const metadata: EventMetadata = {
  account: 'acc',
  tenant: 'ten',
  correlationId: 'c',
  causationId: null,
  actor: { type: 'user', id: 'u' },
  occurredAt: '2026-01-01T00:00:00.000Z',
};

/** Two services share a store but not a mutex: what two processes do, so only the expected revision protects. */
describe('PartnerDirectoryService across processes', () => {
  const store = new InMemoryEventStore();
  const processes = [new PartnerDirectoryService(new WriteModel(store)), new PartnerDirectoryService(new WriteModel(store))];
  let n = 0;
  const scope = (): DirectoryScope => ({ stream: `partner_directory-acc.t${++n}`, partnerStatus: async () => 'active', partnerAs2Id: async () => null });

  async function outcomes(promises: Promise<unknown>[]): Promise<string[]> {
    const settled = await Promise.allSettled(promises);
    return settled.map((s) => (s.status === 'fulfilled' ? 'ok' : s.reason instanceof DomainError ? s.reason.code : String(s.reason)));
  }

  it('lets exactly one of 20 concurrent reservations of one AS2 id win', async () => {
    const s = scope();
    const results = await outcomes(
      Array.from({ length: 20 }, (_, i) =>
        processes[i % 2]!.reserve(s, { as2Id: 'RACE', partnerId: `prt_${i}`, planLimit: null, now: new Date() }, metadata),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'DUPLICATE_AS2_ID')).toHaveLength(19);
  });

  it('never exceeds the plan limit under concurrent reservations', async () => {
    const s = scope();
    const results = await outcomes(
      Array.from({ length: 12 }, (_, i) =>
        processes[i % 2]!.reserve(s, { as2Id: `ID-${i}`, partnerId: `prt_${i}`, planLimit: { plan: 'free', limit: 5 }, now: new Date() }, metadata),
      ),
    );
    expect(results.filter((r) => r === 'ok')).toHaveLength(5);
    expect(results.filter((r) => r === 'PARTNER_LIMIT_EXCEEDED')).toHaveLength(7);
    const reserved = (await store.readStream(s.stream)).filter((e) => e.type === 'partner_directory.as2_id_reserved.v1');
    expect(reserved).toHaveLength(5);
  });

  it('releases a reservation whose partner was deleted, whatever its age', async () => {
    const s = scope();
    const deleted: DirectoryScope = { ...s, partnerStatus: async () => 'deleted' };
    await processes[0]!.reserve(s, { as2Id: 'REUSE', partnerId: 'prt_old', planLimit: null, now: new Date() }, metadata);
    await processes[1]!.reserve(deleted, { as2Id: 'REUSE', partnerId: 'prt_new', planLimit: null, now: new Date() }, metadata);
    const events = await store.readStream(s.stream);
    expect(events.map((e) => e.type)).toEqual([
      'partner_directory.as2_id_reserved.v1',
      'partner_directory.as2_id_released.v1',
      'partner_directory.as2_id_reserved.v1',
    ]);
  });

  it('tells what a reservation would be refused with, as the reservation itself decides, and writes nothing', async () => {
    const s = scope();
    const full = { plan: 'free' as const, limit: 1 };
    await processes[0]!.reserve(s, { as2Id: 'HELD', partnerId: 'prt_held', planLimit: null, now: new Date() }, metadata);
    const refusal = (service: PartnerDirectoryService, on: DirectoryScope, as2Id: string, planLimit: typeof full | null) => service.refusalOf(on, { as2Id, partnerId: 'prt_next', planLimit, now: new Date() });
    expect((await refusal(processes[1]!, s, 'HELD', null))?.code).toBe('DUPLICATE_AS2_ID');
    expect((await refusal(processes[1]!, s, 'OTHER', full))?.code).toBe('PARTNER_LIMIT_EXCEEDED');
    expect(await refusal(processes[1]!, s, 'OTHER', null)).toBeNull();
    // Its holder deleted, the id is free and the plan has room, as a reservation would find after releasing it.
    const deleted: DirectoryScope = { ...s, partnerStatus: async () => 'deleted' };
    expect(await refusal(processes[1]!, deleted, 'HELD', full)).toBeNull();
    expect((await store.readStream(s.stream)).map((e) => e.type)).toEqual(['partner_directory.as2_id_reserved.v1']);
  });
});
