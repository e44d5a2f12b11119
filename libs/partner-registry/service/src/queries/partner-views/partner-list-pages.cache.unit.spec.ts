import type { ReadModelDocument, ReadModelStore, WriteListener } from '@as2-partners/kernel';
import { PartnerListPagesCache } from './partner-list-pages.cache';

const VIEWS = 'partner_registry_partner_views';
const MASTERS = 'partner_registry_master_partners';
const TENANTS = 'partner_registry_tenants';

function setup(options: { watched?: boolean } = {}) {
  const listeners = new Map<string, WriteListener>();
  const store = { watchWrites: options.watched === false ? undefined : (collection: string, listener: WriteListener) => listeners.set(collection, listener) } as unknown as ReadModelStore;
  const cache = new PartnerListPagesCache(store);
  const write = (collection: string, doc: Record<string, unknown> | null) => listeners.get(collection)?.('x', doc as ReadModelDocument | null);
  const keepAll = () => {
    cache.keep('t1-page1', 'acc', 't1', 'T1', cache.mark());
    cache.keep('t2-page1', 'acc', 't2', 'T2', cache.mark());
    cache.keep('masters', 'acc', null, 'M', cache.mark());
    cache.keep('other-account', 'acc2', 't1', 'O', cache.mark());
  };
  const kept = () => ['t1-page1', 't2-page1', 'masters', 'other-account'].filter((key) => cache.current(key) !== undefined);
  return { cache, write, keepAll, kept };
}

describe('PartnerListPagesCache', () => {
  it("a partner view's write drops its tenant's pages only", () => {
    const { write, keepAll, kept } = setup();
    keepAll();
    write(VIEWS, { account: 'acc', tenant: 't1' });
    expect(kept()).toEqual(['t2-page1', 'masters', 'other-account']);
  });

  it("a master partner's write drops every page of its account (each tenant inherits it)", () => {
    const { write, keepAll, kept } = setup();
    keepAll();
    write(MASTERS, { account: 'acc' });
    expect(kept()).toEqual(['other-account']);
  });

  it.each([
    ['a tenant written (seen for the first time)', TENANTS, { account: 'acc2' }],
    ['a view deleted without its document', VIEWS, null],
    ['a master deleted without its document', MASTERS, null],
  ])('%s drops every page', (_name, collection, doc) => {
    const { write, keepAll, kept } = setup();
    keepAll();
    write(collection, doc);
    expect(kept()).toEqual([]);
  });

  it('keeps nothing read before a write, nor where the store does not tell its writes', () => {
    const { cache, write } = setup();
    const mark = cache.mark();
    write(VIEWS, { account: 'acc2', tenant: 'elsewhere' });
    cache.keep('t1-page1', 'acc', 't1', 'old', mark);
    expect(cache.current('t1-page1')).toBeUndefined();
    const unwatched = setup({ watched: false }).cache;
    unwatched.keep('t1-page1', 'acc', 't1', 'T1', unwatched.mark());
    expect(unwatched.current('t1-page1')).toBeUndefined();
  });
});
