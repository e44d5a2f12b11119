import type { RecordedEvent } from './event-envelope';
import { ProjectionRegistry, type PublishingRelay } from './projection';

const event = (stream: string, position: number) => ({ stream, position }) as unknown as RecordedEvent;

function relay(name: string, category: string, publishedThrough: number | null): PublishingRelay {
  return {
    name,
    lag: async () => ({ name, running: true, position: publishedThrough, headPosition: null, caughtUp: null, secondsBehind: null, parked: 0 }) as never,
    topicFor: (e) => (e.stream.startsWith(`${category}-`) ? `as2.${category}.events` : null),
    publishedThrough: async () => publishedThrough,
  };
}

describe('ProjectionRegistry.carried: what the relays published before a start', () => {
  it("names an event's topic only up to its own relay's checkpoint, and the last position any relay published", async () => {
    const registry = new ProjectionRegistry();
    registry.registerRelay(relay('outbox:registry', 'partner', 10));
    registry.registerRelay(relay('outbox:certificates', 'certificate', 4));
    const carried = await registry.carried();
    expect(carried.through).toBe(10);
    expect(carried.topicOf(event('partner-p1', 10))).toBe('as2.partner.events');
    // published by a relay that has yet to get there: the bus brings it, with its effects
    expect(carried.topicOf(event('certificate-c1', 5))).toBeNull();
    expect(carried.topicOf(event('certificate-c1', 4))).toBe('as2.certificate.events');
    expect(carried.topicOf(event('partner-p1', 11))).toBeNull();
    expect(carried.topicOf(event('station-s1', 1))).toBeNull();
  });

  it('says nothing was carried when no relay published yet (a store filled before the first start)', async () => {
    const registry = new ProjectionRegistry();
    registry.registerRelay(relay('outbox:registry', 'partner', null));
    const carried = await registry.carried();
    expect(carried.through).toBeNull();
    expect(carried.topicOf(event('partner-p1', 1))).toBeNull();
  });
});
