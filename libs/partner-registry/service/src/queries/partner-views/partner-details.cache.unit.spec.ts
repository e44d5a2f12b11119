import type { ReadModelDocument, ReadModelStore, WriteListener } from '@as2-partners/kernel';
import { PartnerDetailsCache } from './partner-details.cache';
import type { PartnerDetailsQuery } from './partner-details.query';

type Details = NonNullable<Awaited<ReturnType<PartnerDetailsQuery['detailsFor']>>>;

function setup(options: { watched?: boolean } = {}) {
  const listeners = new Map<string, WriteListener>();
  const store = { watchWrites: options.watched === false ? undefined : (collection: string, listener: WriteListener) => listeners.set(collection, listener) } as unknown as ReadModelStore;
  let joins = 0;
  let duringJoin: (() => void) | null = null;
  const as2Ids: Record<string, string> = { prt_a: 'A', prt_b: 'B' };
  const details = {
    detailsFor: async (_account: string, tenant: string, id: string) => {
      joins += 1;
      duringJoin?.();
      return as2Ids[id] ? ({ data: { id, as2_id: as2Ids[id], tenant, join: joins } } as unknown as Details) : null;
    },
  } as unknown as PartnerDetailsQuery;
  const cache = new PartnerDetailsCache(store, details);
  const write = (collection: string, id: string | null, doc: Record<string, unknown> | null) => {
    const listener = listeners.get(collection);
    if (!listener) throw new Error(`${collection} is not watched`);
    listener(id, doc as ReadModelDocument | null);
  };
  return { cache, write, joins: () => joins, duringJoin: (work: (() => void) | null) => (duringJoin = work) };
}

describe('PartnerDetailsCache', () => {
  it('answers a read whose body cannot be kept on disk (the file read-only, full or failing): the texts are a cache', async () => {
    const failing = Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
    let puts = 0;
    const texts = { carried: false, stamp: () => 0, get: () => undefined, put: () => { puts += 1; throw failing; }, touch: () => undefined, drop: () => undefined };
    const store = { watchWrites: () => undefined, keptTexts: () => texts } as unknown as ReadModelStore;
    const details = { detailsFor: async (_account: string, tenant: string, id: string) => ({ data: { id, as2_id: 'A', tenant } }) as unknown as Details } as unknown as PartnerDetailsQuery;
    const cache = new PartnerDetailsCache(store, details);
    expect(JSON.parse((await cache.json('acc', 't1', 'prt_a')) as string)).toEqual({ data: { id: 'prt_a', as2_id: 'A', tenant: 't1' } });
    expect(JSON.parse((await cache.json('acc', 't1', 'prt_b')) as string)).toEqual({ data: { id: 'prt_b', as2_id: 'A', tenant: 't1' } });
    expect(puts).toBe(2);
  });

  it('keeps a joined body and answers it again without a join; an unknown partner is not kept', async () => {
    const { cache, joins } = setup();
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    const json = await cache.json('acc', 't1', 'prt_a');
    expect(cache.current('acc', 't1', 'prt_a')).toBe(json);
    expect(cache.current('acc', 't2', 'prt_a')).toBeUndefined();
    expect(await cache.json('acc', 't1', 'prt_nothing')).toBeNull();
    expect(cache.current('acc', 't1', 'prt_nothing')).toBeUndefined();
    expect(joins()).toBe(2);
  });

  it.each([
    ['partner view', 'partner_registry_partner_views', 'acc|t1|prt_a', { partnerId: 'prt_a' }],
    ['master partner (every tenant inheriting it)', 'partner_registry_master_partners', 'prt_a', { partnerId: 'prt_a' }],
    ['master partner deleted', 'partner_registry_master_partners', 'prt_a', null],
    ['certificate attached', 'partner_registry_partner_certificates', 'x', { partnerId: 'prt_a' }],
    ['certificate slots', 'partner_registry_partner_certificate_slots', 'prt_a', { _id: 'prt_a' }],
    ['traffic pause (tenant or account)', 'partner_registry_partner_traffic', 'acc._account.prt_a', {}],
    ['connection status', 'partner_registry_connection_status', 'prt_a.t1', {}],
  ])('a write of the partner’s %s drops its bodies in every tenant and leaves the others', async (_name, collection, id, doc) => {
    const { cache, write } = setup();
    for (const tenant of ['t1', 't2']) await cache.json('acc', tenant, 'prt_a');
    await cache.json('acc', 't1', 'prt_b');
    write(collection, id, doc);
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't2', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't1', 'prt_b')).toBeDefined();
  });

  it('a message outcome drops the body of the partner it names by AS2 id in its tenant only', async () => {
    const { cache, write } = setup();
    for (const tenant of ['t1', 't2']) await cache.json('acc', tenant, 'prt_a');
    write('partner_registry_message_outcomes', 'acc|t1|m1', { account: 'acc', tenant: 't1', partnerAs2Id: 'A' });
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't2', 'prt_a')).toBeDefined();
  });

  it('a write of a tenant drops the bodies of that tenant only (known or not decides views or masters)', async () => {
    const { cache, write } = setup();
    for (const tenant of ['t1', 't2']) await cache.json('acc', tenant, 'prt_a');
    write('partner_registry_tenants', 'acc|t1', { account: 'acc', tenantId: 't1' });
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't2', 'prt_a')).toBeDefined();
  });

  it('a partner view deleted drops the bodies of its partner id, read from the view id', async () => {
    const { cache, write } = setup();
    await cache.json('acc', 't1', 'prt_a');
    await cache.json('acc', 't1', 'prt_b');
    write('partner_registry_partner_views', 'acc|t1|prt_a', null);
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't1', 'prt_b')).toBeDefined();
  });

  it.each([
    ['a tenant without its document', 'partner_registry_tenants', null, null],
    ['a certificate status', 'partner_registry_certificate_statuses', 'cert_1', {}],
    ['many partner views', 'partner_registry_partner_views', null, null],
    ['many outcomes', 'partner_registry_message_outcomes', null, null],
  ])('a write of %s drops every body', async (_name, collection, id, doc) => {
    const { cache, write } = setup();
    await cache.json('acc', 't1', 'prt_a');
    await cache.json('acc', 't1', 'prt_b');
    write(collection, id, doc);
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
    expect(cache.current('acc', 't1', 'prt_b')).toBeUndefined();
  });

  it('a body joined while a watched write happened is answered but not kept (it may predate the write)', async () => {
    const { cache, write, duringJoin } = setup();
    duringJoin(() => write('partner_registry_partner_views', 'acc|t1|prt_b', { partnerId: 'prt_b' }));
    expect(await cache.json('acc', 't1', 'prt_a')).not.toBeNull();
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
  });

  it('keeps nothing where the store cannot tell every write (MongoDB shared by replicas)', async () => {
    const { cache } = setup({ watched: false });
    expect(await cache.json('acc', 't1', 'prt_a')).not.toBeNull();
    expect(cache.current('acc', 't1', 'prt_a')).toBeUndefined();
  });
});
