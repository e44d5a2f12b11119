import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@as2-partners/event-store-sqlite';
import { WriteModel, type EventMetadata } from '@as2-partners/kernel';
import { EmbeddedReadModelStore } from '@as2-partners/read-model-embedded';
import { nextChangeAt, partnerTrafficDecider, TrafficControlStreams, type TrafficRef } from '@as2-partners/traffic-control-domain';
import { TrafficScheduler } from '@as2-partners/traffic-control-service';

const ref: TrafficRef = { partnerId: 'prt_01JDTRAFFICREPLICAS000000001', account: 'acc', tenant: 'ten', scope: 'tenant' };
const stream = TrafficControlStreams.tenantPartnerTraffic('acc', 'ten', ref.partnerId);
const metadata: EventMetadata = { account: 'acc', tenant: 'ten', correlationId: 'c', causationId: null, actor: { type: 'user', id: 'setup' }, occurredAt: new Date().toISOString() };

/** Two replicas' schedulers, each with its own connection to one event store, race on the same due changes. */
describe('traffic scheduler: exactly once with two instances on one store', () => {
  let dir: string;
  let stores: SqliteEventStore[];
  let readModels: EmbeddedReadModelStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'traffic-scheduler-'));
    stores = [await SqliteEventStore.open(join(dir, 'events.sqlite')), await SqliteEventStore.open(join(dir, 'events.sqlite'))];
    readModels = await EmbeddedReadModelStore.open(join(dir, 'read-models.sqlite'));
  });

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await readModels.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an until, a window start and a window end each happen once however the two interleave', async () => {
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms).toISOString();
    const setup = new WriteModel(stores[0]);
    await setup.decide(stream, partnerTrafficDecider, { type: 'pause', ref, direction: 'outgoing', response: null, reason: 'r', until: at(1000), retryAfterSeconds: null, actor: 'a', now: at(0) }, metadata);
    const scheduled = await setup.decide(stream, partnerTrafficDecider, { type: 'schedule_window', ref, windowId: 'w1', direction: 'incoming', startsAt: at(2000), endsAt: at(3000), response: 'http_422', reason: 'r', actor: 'a', now: at(0) }, metadata);
    // The due view as the projection keeps it (its nextChangeAt moves as events land: re-read from the stream here).
    const traffic = readModels.collection<{ _id: string; account: string; tenant: string | null; nextChangeAt: string | null }>('traffic_control_partner_traffic');
    await traffic.put({ _id: stream, account: 'acc', tenant: 'ten', nextChangeAt: nextChangeAt(scheduled.state) });

    for (const instant of [1000, 2000, 3000]) {
      const clock = { now: () => new Date(start + instant) };
      const schedulers = stores.map((store, i) => new TrafficScheduler({ writeModel: new WriteModel(store), traffic: traffic as never, clock, intervalMs: 1000, instanceId: `replica-${i}` }));
      const appended = await Promise.all(schedulers.map((s) => s.tick()));
      expect(appended.reduce((a, b) => a + b, 0)).toBe(1);
      const state = (await new WriteModel(stores[0]).load(stream, partnerTrafficDecider)).state;
      await traffic.put({ _id: stream, account: 'acc', tenant: 'ten', nextChangeAt: nextChangeAt(state) });
    }
    const types = (await stores[1].readStream(stream)).map((e) => `${e.type}${(e.data as { trigger?: string }).trigger ? `:${(e.data as { trigger: string }).trigger}` : ''}`);
    expect(types).toEqual(['traffic.paused.v1', 'traffic.window_scheduled.v1', 'traffic.resumed.v1:until', 'traffic.paused.v1', 'traffic.resumed.v1:window_end']);
  });
});
