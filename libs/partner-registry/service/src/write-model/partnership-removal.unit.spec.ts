import { DirectoryReservations, toNewEvents, WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import * as domain from '@as2-partners/partner-registry-domain';
import { partnershipPairKey, PartnerRegistryStreams, type UniqueKeyDirectoryEvent } from '@as2-partners/partner-registry-domain';
import { PartnershipRemoval } from './partnership-removal';
import { partnershipDirectoryDecider } from './unique-key-directories';

// Counts the pair keys parsed: a scan parses only the keys that may be picked.
jest.mock('@as2-partners/partner-registry-domain', () => {
  const actual = jest.requireActual('@as2-partners/partner-registry-domain');
  return { ...actual, parsePartnershipPairKey: jest.fn(actual.parsePartnershipPairKey) };
});

const NOW = '2026-12-07T10:00:00.000Z';
const metadata: EventMetadata = { account: 'acc', tenant: null, correlationId: 'c', causationId: null, actor: { type: 'system', id: 'test' }, occurredAt: NOW };
const STREAM = PartnerRegistryStreams.partnershipDirectory('acc');
const ulid = (n: number) => String(n).padStart(26, '0');
const instance = (n: number) => `ins_${ulid(n)}`;
const partner = (n: number) => `prt_${ulid(n)}`;
const pairId = (n: number) => `ptn_${ulid(n)}`;

function pair(tenant: string, instanceId: string, partnerId: string, n: number): UniqueKeyDirectoryEvent {
  return { type: 'unique_key_directory.key_reserved.v1', data: { key: partnershipPairKey(tenant, instanceId, partnerId), holderId: pairId(n), reservedAt: NOW } };
}

/** 6,000 pairs of tenant 'hub' (one instance, one pair released), a small tenant's three, a tenant whose id is an instance's, a master instance's pairs in two tenants. */
function account(): UniqueKeyDirectoryEvent[] {
  const events = Array.from({ length: 6_000 }, (_, i) => pair('hub', instance(1), partner(i), i));
  events.push(pair('small', instance(2), partner(1), 6_001), pair('small', instance(2), partner(2), 6_002), pair('small', instance(3), partner(3), 6_003));
  events.push(pair(instance(2), instance(4), partner(4), 6_004), pair('hub', instance(3), partner(5), 6_005));
  events.push({ type: 'unique_key_directory.key_released.v1', data: { key: partnershipPairKey('hub', instance(1), partner(7)), holderId: pairId(7), reason: 'deleted', releasedAt: NOW } });
  return events;
}

async function removalOver(events: readonly UniqueKeyDirectoryEvent[]): Promise<PartnershipRemoval> {
  const store = new InMemoryEventStore();
  for (let from = 0; from < events.length; from += 1_000) await store.append(STREAM, toNewEvents(events.slice(from, from + 1_000), metadata), from === 0 ? 'no_stream' : from - 1);
  const writeModel = new WriteModel(store);
  await writeModel.load(STREAM, partnershipDirectoryDecider);
  return new PartnershipRemoval(writeModel, new DirectoryReservations(writeModel));
}

const ids = (pairs: readonly { partnershipId: string }[]) => pairs.map((p) => p.partnershipId);
const parsed = domain.parsePartnershipPairKey as jest.Mock;

describe('PartnershipRemoval: an instance\'s and a tenant\'s pairs', () => {
  it('finds them exactly (a master instance in every tenant, a tenant named like an instance apart, released pairs gone)', async () => {
    const removal = await removalOver(account());
    expect(ids(await removal.pairsOfInstance('acc', instance(2)))).toEqual([pairId(6_001), pairId(6_002)]);
    expect(ids(await removal.pairsOfInstance('acc', instance(3)))).toEqual([pairId(6_003), pairId(6_005)]);
    expect(ids(await removal.pairsOfTenant('acc', 'small'))).toEqual([pairId(6_001), pairId(6_002), pairId(6_003)]);
    expect(ids(await removal.pairsOfTenant('acc', instance(2)))).toEqual([pairId(6_004)]);
    expect(await removal.pairsOfInstance('acc', instance(9))).toEqual([]);
    expect(await removal.pairsOfTenant('acc', 'none')).toEqual([]);
    expect(await removal.pairsOfTenant('other', 'small')).toEqual([]);
    const hub = await removal.pairsOfTenant('acc', 'hub');
    expect(hub).toHaveLength(6_000);
    expect(ids(hub)).not.toContain(pairId(7));
    expect(hub.find((p) => p.partnershipId === pairId(6_005))).toEqual({ partnershipId: pairId(6_005), tenant: 'hub', as2InstanceId: instance(3), partnerId: partner(5) });
    expect(await removal.pairsOfInstance('acc', instance(1))).toHaveLength(5_999);
  });

  it("parses the keys of the pairs it may pick only, not the account's 6,000 others (an instance's or tenant's deletion at 100,000 pairs held the loop ~200 ms)", async () => {
    const removal = await removalOver(account());
    parsed.mockClear();
    await removal.pairsOfInstance('acc', instance(2));
    await removal.pairsOfTenant('acc', 'small');
    expect(parsed.mock.calls.length).toBeLessThanOrEqual(6);
  });
});
