import type { BusSubscriptionOptions, EventBus, RecordedEvent } from '@as2-partners/kernel';
import { withConsumerGroupNamespace } from './consumer-group-namespace';

function recordingBus() {
  const subscribed: BusSubscriptionOptions[] = [];
  const published: [string, readonly RecordedEvent[]][] = [];
  let closed = 0;
  const bus: EventBus = {
    publish: async (topic, events) => void published.push([topic, events]),
    subscribe: async (options) => {
      subscribed.push(options);
      return { stop: async () => undefined };
    },
    close: async () => void (closed += 1),
  };
  return { bus, subscribed, published, closed: () => closed };
}

describe('withConsumerGroupNamespace', () => {
  it('joins every consumer group under the namespace, with the same topics and handler', async () => {
    const inner = recordingBus();
    const handler = jest.fn(async () => undefined);
    await withConsumerGroupNamespace(inner.bus, 'it-run1').subscribe({ groupId: 'partner-registry.partner-certificates', topics: ['as2.certificate-lifecycle.events'], handler });
    expect(inner.subscribed).toEqual([{ groupId: 'it-run1.partner-registry.partner-certificates', topics: ['as2.certificate-lifecycle.events'], handler }]);
  });

  it('gives two apps subscribing the same group name different groups', async () => {
    const inner = recordingBus();
    const handler = async () => undefined;
    await withConsumerGroupNamespace(inner.bus, 'suite-a').subscribe({ groupId: 'g', topics: ['t'], handler });
    await withConsumerGroupNamespace(inner.bus, 'suite-b').subscribe({ groupId: 'g', topics: ['t'], handler });
    expect(new Set(inner.subscribed.map((s) => s.groupId)).size).toBe(2);
  });

  it('publishes and closes through the bus unchanged', async () => {
    const inner = recordingBus();
    const bus = withConsumerGroupNamespace(inner.bus, 'ns');
    await bus.publish('as2.partner-registry.events', []);
    await bus.close();
    expect(inner.published).toEqual([['as2.partner-registry.events', []]]);
    expect(inner.closed()).toBe(1);
  });
});
