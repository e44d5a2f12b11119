import { InMemoryEventStore } from '@as2-partners/kernel-testing';
import { WrongExpectedRevisionError, type CommittedAppend, type EventMetadata, type EventStore, type ExpectedRevision, type NewEvent } from '@as2-partners/kernel';
import { PlatformMetrics } from './platform-metrics';
import { timedEventStore } from './timed-event-store';

const metadata: EventMetadata = { account: 'a', tenant: 't', correlationId: 'c', causationId: null, actor: { type: 'system', id: 'spec' }, occurredAt: '2026-12-05T00:00:00.000Z' };
const event = (id: string) => ({ id, type: 'spec.happened.v1', schemaVersion: 1, data: { id }, metadata });

describe('timedEventStore', () => {
  it('times each append by outcome and keeps the store itself underneath (its class, its other methods bound to it)', async () => {
    const metrics = new PlatformMetrics({ processMetrics: false });
    const inner = new InMemoryEventStore();
    const store = timedEventStore(inner, metrics);
    expect(store).toBeInstanceOf(InMemoryEventStore);
    await store.append('spec-1', [event('00000000-0000-4000-8000-000000000001')], 'no_stream');
    await expect(store.append('spec-1', [event('00000000-0000-4000-8000-000000000002')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    const { readStream } = store;
    expect((await readStream('spec-1')).map((e) => e.id)).toEqual(['00000000-0000-4000-8000-000000000001']);
    const text = await metrics.render();
    expect(text).toMatch(/as2_event_store_append_duration_seconds_count\{outcome="ok"\} 1/);
    expect(text).toMatch(/as2_event_store_append_duration_seconds_count\{outcome="conflict"\} 1/);
  });

  it('answers the same bound method every time, and a method the store replaced afterwards bound anew', async () => {
    const inner = new InMemoryEventStore();
    const store: EventStore = timedEventStore(inner, new PlatformMetrics({ processMetrics: false }));
    expect(store.readStream).toBe(store.readStream);
    const replaced = jest.fn(async function (this: unknown) {
      return this === inner ? [] : null;
    });
    (inner as unknown as { readStream: unknown }).readStream = replaced;
    const { readStream } = store;
    await expect(readStream('any')).resolves.toEqual([]);
    expect(replaced).toHaveBeenCalledTimes(1);
  });

  it("times appendCommitted too (a directory's claim) until its events are durable, and keeps a store without it without it", async () => {
    let sync: { resolve: () => void; reject: (error: Error) => void } | undefined;
    class CommittingStore extends InMemoryEventStore {
      async appendCommitted(stream: string, events: readonly NewEvent[], expectedRevision: ExpectedRevision): Promise<CommittedAppend> {
        const result = await this.append(stream, events, expectedRevision);
        return { ...result, durable: new Promise<void>((resolve, reject) => (sync = { resolve, reject })) };
      }
    }
    const metrics = new PlatformMetrics({ processMetrics: false });
    const store = timedEventStore(new CommittingStore(), metrics);
    const count = async (outcome: string) => Number(new RegExp(`as2_event_store_append_duration_seconds_count\\{outcome="${outcome}"\\} (\\d+)`).exec(await metrics.render())?.[1] ?? 0);
    const first = await store.appendCommitted!('spec-2', [event('00000000-0000-4000-8000-000000000003')], 'no_stream');
    expect(await count('ok')).toBe(0);
    sync!.resolve();
    await first.durable;
    expect(await count('ok')).toBe(1);
    const second = await store.appendCommitted!('spec-2', [event('00000000-0000-4000-8000-000000000004')], 0);
    sync!.reject(new Error('disk full'));
    await expect(second.durable).rejects.toThrow('disk full');
    expect(await count('error')).toBe(1);
    await expect(store.appendCommitted!('spec-2', [event('00000000-0000-4000-8000-000000000005')], 'no_stream')).rejects.toBeInstanceOf(WrongExpectedRevisionError);
    expect(await count('conflict')).toBe(1);
    expect(timedEventStore(new InMemoryEventStore(), metrics).appendCommitted).toBeUndefined();
  });
});
