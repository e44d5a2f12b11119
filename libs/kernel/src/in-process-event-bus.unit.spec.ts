import type { RecordedEvent } from './event-envelope';
import { InProcessEventBus } from './in-process-event-bus';

function event(revision: number): RecordedEvent {
  return {
    id: `evt-${revision}`,
    type: 'partner.created.v1',
    schemaVersion: 1,
    stream: 'partner-prt_1',
    revision,
    position: revision + 1,
    data: { revision },
    metadata: {
      account: 'acct_1',
      tenant: null,
      correlationId: 'cor-1',
      causationId: null,
      actor: { type: 'system', id: 'test' },
      occurredAt: '2026-11-23T10:00:00.000Z',
    },
  };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

const topic = 'as2.partner-registry.events';

describe('InProcessEventBus', () => {
  it('resolves publish only once every group has handled every event', async () => {
    const bus = new InProcessEventBus();
    const gate = deferred();
    const handled: string[] = [];
    await bus.subscribe({ groupId: 'slow', topics: [topic], handler: async (e) => void (await gate.promise, handled.push(`slow:${e.id}`)) });
    await bus.subscribe({ groupId: 'fast', topics: [topic], handler: async (e) => void handled.push(`fast:${e.id}`) });

    let acknowledged = false;
    const publishing = bus.publish(topic, [event(0), event(1)]).then(() => (acknowledged = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(acknowledged).toBe(false);
    gate.resolve();
    await publishing;
    expect(handled.sort()).toEqual(['fast:evt-0', 'fast:evt-1', 'slow:evt-0', 'slow:evt-1']);
  });

  it('rejects publish when a handler rejects, after the other groups handled the events', async () => {
    const bus = new InProcessEventBus();
    const healthy: string[] = [];
    await bus.subscribe({ groupId: 'failing', topics: [topic], handler: async () => Promise.reject(new Error('projection down')) });
    await bus.subscribe({ groupId: 'healthy', topics: [topic], handler: async (e) => void healthy.push(e.id) });

    await expect(bus.publish(topic, [event(0), event(1)])).rejects.toThrow('projection down');
    expect(healthy).toEqual(['evt-0', 'evt-1']);
  });

  it('stops a group at the first failing event of a publish, so later events are not handled out of order', async () => {
    const bus = new InProcessEventBus();
    const handled: number[] = [];
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handler: async (e) => {
        if (e.revision === 1) throw new Error('fails on revision 1');
        handled.push(e.revision);
      },
    });
    await expect(bus.publish(topic, [event(0), event(1), event(2)])).rejects.toThrow('fails on revision 1');
    expect(handled).toEqual([0]);
  });

  it('allows one subscription per group and topic', async () => {
    const bus = new InProcessEventBus();
    const handler = async () => undefined;
    const first = await bus.subscribe({ groupId: 'g', topics: [topic], handler });
    await expect(bus.subscribe({ groupId: 'g', topics: ['as2.other.events', topic], handler })).rejects.toThrow(/already has a subscription/);
    await first.stop();
    await expect(bus.subscribe({ groupId: 'g', topics: [topic], handler })).resolves.toBeDefined();
  });

  it('hands a group the events of concurrent publishes one at a time, in call order', async () => {
    const bus = new InProcessEventBus();
    const handled: number[] = [];
    let running = 0;
    let overlapped = false;
    await bus.subscribe({
      groupId: 'g',
      topics: [topic],
      handler: async (e) => {
        running += 1;
        overlapped ||= running > 1;
        await new Promise((r) => setTimeout(r, 5));
        handled.push(e.revision);
        running -= 1;
      },
    });
    await Promise.all([bus.publish(topic, [event(0), event(1)]), bus.publish(topic, [event(2)]), bus.publish(topic, [event(3)])]);
    expect(handled).toEqual([0, 1, 2, 3]);
    expect(overlapped).toBe(false);
  });

  it('acknowledges a topic nobody subscribes to, and refuses to publish once closed', async () => {
    const bus = new InProcessEventBus();
    await expect(bus.publish(topic, [event(0)])).resolves.toBeUndefined();
    const handled: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: [topic], handler: async (e) => void handled.push(e.id) });
    await bus.close();
    await expect(bus.publish(topic, [event(1)])).rejects.toThrow('closed');
    expect(handled).toEqual([]);
  });
});
