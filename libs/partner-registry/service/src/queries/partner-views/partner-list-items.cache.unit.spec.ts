import type { ReadModelStore, WriteListener } from '@as2-partners/kernel';
import { PartnerListItemsCache } from './partner-list-items.cache';
import { presentPartner } from './partner.presenter';
import type { PartnerViewDocument } from './partner-view.document';
import { partnerViewOf } from './partner-view.spec-support';

const VIEWS = 'partner_registry_partner_views';
const MASTERS = 'partner_registry_master_partners';

function setup(options: { watched?: boolean } = {}) {
  const listeners = new Map<string, WriteListener>();
  const store = { watchWrites: options.watched === false ? undefined : (collection: string, listener: WriteListener) => listeners.set(collection, listener) } as unknown as ReadModelStore;
  const cache = new PartnerListItemsCache(store);
  const write = (collection: string, id: string | null) => listeners.get(collection)?.(id, null);
  return { cache, write };
}

const doc = partnerViewOf;

const asTenant = (d: PartnerViewDocument) => d.type;

describe('PartnerListItemsCache', () => {
  it('answers what presentPartner answers, as the type asks, and keeps it until a write to the document', () => {
    const { cache, write } = setup();
    const a = doc('prt_a', 'A');
    expect(cache.json([a], asTenant, cache.mark())).toEqual([JSON.stringify(presentPartner(a))]);
    // kept: a read of the same id answers the kept text (the read store tells every write, so none happened)
    expect(cache.json([doc('prt_a', 'not presented')], asTenant, cache.mark())).toEqual([JSON.stringify(presentPartner(a))]);
    expect(cache.json([a], () => 'master', cache.mark())).toEqual([JSON.stringify(presentPartner(a, 'master'))]);
    write(VIEWS, 'prt_b');
    expect(JSON.parse(cache.json([doc('prt_a', 'A2')], () => 'master', cache.mark())[0] as string).name).toBe('A');
    write(VIEWS, 'prt_a');
    expect(JSON.parse(cache.json([doc('prt_a', 'A2')], asTenant, cache.mark())[0] as string).name).toBe('A2');
    write(MASTERS, null);
    expect(JSON.parse(cache.json([doc('prt_a', 'A3')], asTenant, cache.mark())[0] as string).name).toBe('A3');
  });

  it('keeps nothing read before a write, nor where the store does not tell its writes', () => {
    const { cache, write } = setup();
    const mark = cache.mark();
    write(VIEWS, 'prt_other');
    cache.json([doc('prt_a', 'old')], asTenant, mark);
    expect(JSON.parse(cache.json([doc('prt_a', 'new')], asTenant, cache.mark())[0] as string).name).toBe('new');
    const unwatched = setup({ watched: false }).cache;
    unwatched.json([doc('prt_a', 'old')], asTenant, unwatched.mark());
    expect(JSON.parse(unwatched.json([doc('prt_a', 'new')], asTenant, unwatched.mark())[0] as string).name).toBe('new');
  });
});
