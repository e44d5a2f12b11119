import { addToLogContext, currentLogContext, RetryThenPark, withLogContext, type RecordedEvent } from '@as2-partners/kernel';
import { InMemoryParkedEventStore } from './in-memory-parked-event-store';

const event: RecordedEvent = {
  id: 'evt-1',
  stream: 'thing-1',
  type: 'thing.created.v1',
  schemaVersion: 1,
  revision: 0,
  position: 7,
  data: {},
  metadata: { account: 'acc', tenant: 'ten', correlationId: 'corr-1', causationId: 'req-1', actor: { type: 'user', id: 'alice' }, occurredAt: '2026-11-30T10:00:00.000Z' },
} as RecordedEvent;

describe('the log context', () => {
  it('is what the work runs in, across awaits, with fields added midway; none outside', async () => {
    expect(currentLogContext()).toBeUndefined();
    const seen = await withLogContext({ requestId: 'r-1' }, async () => {
      await new Promise((resolve) => setImmediate(resolve));
      addToLogContext({ tenant: 't-1' });
      await Promise.resolve();
      return { ...currentLogContext() };
    });
    expect(seen).toEqual({ requestId: 'r-1', tenant: 't-1' });
    expect(currentLogContext()).toBeUndefined();
    addToLogContext({ ignored: 'outside any work' });
    expect(currentLogContext()).toBeUndefined();
  });

  it('is the handled event\'s (and the request behind it) while a follower handles it, whatever context woke the follower', async () => {
    const retries = new RetryThenPark({ consumer: 'things-view', parked: new InMemoryParkedEventStore() });
    let seen: unknown;
    await withLogContext({ requestId: 'someone-else' }, () =>
      retries.handle(event, async () => {
        seen = { ...currentLogContext() };
      }),
    );
    expect(seen).toEqual({ consumer: 'things-view', eventId: 'evt-1', eventType: 'thing.created.v1', correlationId: 'corr-1', causationId: 'req-1', account: 'acc', tenant: 'ten', user: 'alice' });
  });
});
