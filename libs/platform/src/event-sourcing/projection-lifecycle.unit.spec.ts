import { BusFollowedProjection, InProcessEventBus, ProjectionRegistry, type Projection, type Reactor } from '@as2-partners/kernel';
import { InMemoryParkedEventStore, InMemoryReadModelStore } from '@as2-partners/kernel-testing';
import { ProjectionLifecycle } from './projection-lifecycle';
import type { EventSourcingOptions } from './event-sourcing-options';

/** Records when it is started and stopped; it never consumes (the follower itself is the kernel's to test). */
class RecordingBusProjection extends BusFollowedProjection {
  readonly name = 'bus-fed';
  protected readonly topics = ['as2.elsewhere.events'];

  constructor(private readonly calls: string[]) {
    super({ bus: new InProcessEventBus(), readModels: new InMemoryReadModelStore(), parked: new InMemoryParkedEventStore() });
  }

  protected override async beforeStart(): Promise<void> {
    this.calls.push('start bus-fed');
  }

  override async stop(): Promise<void> {
    this.calls.push('stop bus-fed');
    await super.stop();
  }

  protected accepts(): boolean {
    return true;
  }

  protected async apply(): Promise<void> {
    return undefined;
  }

  protected async clear(): Promise<void> {
    return undefined;
  }

  protected async isEmpty(): Promise<boolean> {
    return true;
  }
}

/** A follower that records when it is started and stopped. */
function recording(name: string, calls: string[]) {
  return { name, start: async () => void calls.push(`start ${name}`), stop: async () => void calls.push(`stop ${name}`) };
}

const storeFed = (calls: string[]): Projection => ({ ...recording('store-fed', calls), rebuild: async () => undefined, waitFor: async () => undefined });
const reactor = (calls: string[]): Reactor => ({ ...recording('reactor', calls), replayParked: async () => undefined });

function lifecycleOf(options: Partial<EventSourcingOptions>, calls: string[]): ProjectionLifecycle {
  const registry = new ProjectionRegistry();
  registry.registerReactor(reactor(calls));
  registry.register(storeFed(calls));
  registry.register(new RecordingBusProjection(calls));
  return new ProjectionLifecycle(registry, options as EventSourcingOptions);
}

describe('ProjectionLifecycle', () => {
  it('subscribes bus-fed projections on module init, before relays publish, then the store-fed ones and the reactors on bootstrap, each once', async () => {
    const calls: string[] = [];
    const lifecycle = lifecycleOf({}, calls);
    await lifecycle.onModuleInit();
    expect(calls).toEqual(['start bus-fed']);
    await lifecycle.onApplicationBootstrap();
    expect(calls).toEqual(['start bus-fed', 'start store-fed', 'start reactor']);
    await lifecycle.beforeApplicationShutdown();
    expect(calls.slice(3).sort()).toEqual(['stop bus-fed', 'stop reactor', 'stop store-fed']);
  });

  it('registers a reactor as a follower whose parked events are replayed and whose lag is monitored', () => {
    const registry = new ProjectionRegistry();
    const registered = { ...reactor([]), lag: async () => null };
    registry.registerReactor(registered);
    expect(registry.reactors()).toEqual([registered]);
    expect(registry.replayerOf('reactor')).toBe(registered);
    expect(registry.monitored().map((follower) => `${follower.kind}:${follower.name}`)).toEqual(['reactor:reactor']);
    expect(() => registry.registerReactor(registered)).toThrow('registered twice');
  });

  it('starts nothing for one-shot commands such as read-model rebuilds', async () => {
    const calls: string[] = [];
    const lifecycle = lifecycleOf({ startProjections: false }, calls);
    await lifecycle.onModuleInit();
    await lifecycle.onApplicationBootstrap();
    await lifecycle.beforeApplicationShutdown();
    expect(calls).toEqual([]);
  });
});
