import type { NewEvent, ReadModelCollection, ReadModelDocument } from '@as2-partners/kernel';
import { InMemoryCheckpointStore, InMemoryEventStore, InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { partnerDeciderFor, type PartnerCommand, type PartnerState } from '@as2-partners/partner-registry-domain';
import { PartnerRegistryCollections, type PartnerViewDocument } from './partner-view.document';
import { PartnerViewsProjection } from './partner-views.projection';

const ACCOUNT = 'acct_batches';
const NOW = '2026-12-04T23:00:00.000Z';
const decider = partnerDeciderFor('tenant');

/** A tenant partner's stream: each command decided on the state the ones before left, as the store would hold it. */
class PartnerStream {
  private state: PartnerState = decider.initialState();
  private n = 0;

  constructor(
    readonly tenant: string,
    readonly partnerId: string,
  ) {}

  get stream(): string {
    return `partner-${this.partnerId}`;
  }

  events(...commands: PartnerCommand[]): NewEvent[] {
    return commands.flatMap((command) =>
      decider.decide(command, this.state).map((event) => {
        this.state = decider.evolve(this.state, event);
        this.n += 1;
        return {
          id: `${this.partnerId}-${this.n}`,
          type: event.type,
          schemaVersion: 1,
          data: event.data,
          metadata: { account: ACCOUNT, tenant: this.tenant, correlationId: `c-${this.partnerId}-${this.n}`, causationId: null, actor: { type: 'user', id: 'u' }, occurredAt: NOW },
        };
      }),
    );
  }

  create(): PartnerCommand {
    const { partnerId, tenant } = this;
    return { type: 'create_partner', partnerId, account: ACCOUNT, tenant, as2Id: `AS2-${partnerId}`, settings: { name: `Partner ${partnerId}`, url: `https://as2.example.com/${partnerId}` }, certificateId: null, now: NOW };
  }
}

interface Run {
  readonly store: InMemoryEventStore;
  readonly readModels: InMemoryReadModelStore;
  /** The views collection the projection writes. */
  readonly views: ReadModelCollection<PartnerViewDocument>;
  readonly projection: PartnerViewsProjection;
}

/** A projection over its own stores; `oneByOne`: without its batch handler (every event applied alone, as before). */
function runOf(oneByOne: boolean): Run {
  const store = new InMemoryEventStore();
  const readModels = new InMemoryReadModelStore();
  const views = readModels.collection<PartnerViewDocument>(PartnerRegistryCollections.partnerViews);
  const collection = readModels.collection.bind(readModels);
  jest.spyOn(readModels, 'collection').mockImplementation(((name: string, ...rest: unknown[]) =>
    name === PartnerRegistryCollections.partnerViews ? views : (collection as (name: string, ...rest: unknown[]) => unknown)(name, ...rest)) as typeof readModels.collection);
  const projection = new PartnerViewsProjection({ store, checkpoints: new InMemoryCheckpointStore(), parked: new InMemoryParkedEventStore() }, readModels);
  if (oneByOne) Object.defineProperty(projection, 'reactBatch', { value: undefined });
  return { store, readModels, views, projection };
}

/** Appends the streams' events with the projection stopped, then starts it: its first store read holds them all. */
async function applyInOneRead({ store, projection }: Run, appends: readonly (readonly [PartnerStream, NewEvent[]])[]): Promise<void> {
  await projection.stop();
  for (const [partner, events] of appends) await store.append(partner.stream, events, 'any');
  await projection.start();
  await projection.waitFor((await store.lastPosition()) as number, 2000);
}

const viewsOf = async ({ views }: Run): Promise<ReadModelDocument[]> => (await views.find({ filter: {}, sort: { _id: 1 } })).items;

describe('PartnerViewsProjection: the partner changes of one store read written at once', () => {
  const runs: Run[] = [];
  afterEach(async () => {
    for (const run of runs.splice(0)) await run.projection.stop();
  });

  /** The same events for a batched run and a one-by-one run: the tenant known first (its first partner), then `later` in one read. */
  async function both(later: (tenant: string) => (readonly [PartnerStream, NewEvent[]])[]): Promise<{ batched: Run; oneByOne: Run; putMany: jest.SpyInstance; put: jest.SpyInstance }> {
    const batched = runOf(false);
    const oneByOne = runOf(true);
    runs.push(batched, oneByOne);
    const first = new PartnerStream('ten_a', 'prt_first');
    const firstEvents = first.events(first.create());
    const appends = later('ten_a');
    for (const run of [batched, oneByOne]) await applyInOneRead(run, [[first, firstEvents]]);
    const putMany = jest.spyOn(batched.views, 'putMany');
    const put = jest.spyOn(batched.views, 'put');
    for (const run of [batched, oneByOne]) await applyInOneRead(run, appends);
    return { batched, oneByOne, putMany, put };
  }

  it('creates, updates, AS2 id changes and deletes of a known tenant: one write of the views, the views one-by-one leaves', async () => {
    const { batched, oneByOne, putMany, put } = await both((tenant) => {
      const [a, b, c, d] = ['prt_a', 'prt_b', 'prt_c', 'prt_d'].map((id) => new PartnerStream(tenant, id)) as [PartnerStream, PartnerStream, PartnerStream, PartnerStream];
      return [
        [a, a.events(a.create(), { type: 'update_partner', partnerId: 'prt_a', changes: { name: 'Renamed A', active: false }, now: NOW })],
        [b, b.events(b.create())],
        [c, c.events(c.create(), { type: 'change_as2_id', partnerId: 'prt_c', newAs2Id: 'AS2-NEW-C', acknowledgeRisks: true, reason: null, now: NOW })],
        [d, d.events(d.create(), { type: 'delete_partner', partnerId: 'prt_d', now: NOW })],
      ];
    });

    expect(put).not.toHaveBeenCalled();
    expect(putMany).toHaveBeenCalledTimes(1);
    expect((putMany.mock.calls[0]?.[0] as PartnerViewDocument[]).map((view) => view.partnerId)).toEqual(['prt_a', 'prt_b', 'prt_c']);
    const views = await viewsOf(batched);
    expect(views).toEqual(await viewsOf(oneByOne));
    expect(views.map((view) => [(view as PartnerViewDocument).partnerId, (view as PartnerViewDocument).as2Id, (view as PartnerViewDocument).settings.name])).toEqual([
      ['prt_a', 'AS2-prt_a', 'Renamed A'],
      ['prt_b', 'AS2-prt_b', 'Partner prt_b'],
      ['prt_c', 'AS2-NEW-C', 'Partner prt_c'],
      ['prt_first', 'AS2-prt_first', 'Partner prt_first'],
    ]);
  });

  it('a read with a partner of a tenant not known yet applies each event alone, to the same views', async () => {
    const { batched, oneByOne, putMany, put } = await both((tenant) => {
      const a = new PartnerStream(tenant, 'prt_a');
      const other = new PartnerStream('ten_new', 'prt_other');
      return [
        [a, a.events(a.create())],
        [other, other.events(other.create())],
      ];
    });

    expect(put).toHaveBeenCalledTimes(2);
    // the new tenant's inherited views: none to write (no master partner)
    expect(putMany.mock.calls).toEqual([]);
    expect(await viewsOf(batched)).toEqual(await viewsOf(oneByOne));
    expect(await viewsOf(batched)).toHaveLength(3);
  });
});
