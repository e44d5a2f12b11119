import { BusFollowedProjection, InProcessEventBus, ProjectionRegistry, type Projection, type ReadModelStore } from '@as2-partners/kernel';
import { InMemoryParkedEventStore } from '@as2-partners/kernel-testing';
import { ProjectionLifecycle } from './projection-lifecycle';
import type { EventSourcingOptions } from './event-sourcing-options';

/** Records when it is started and stopped; it never consumes (the follower itself is the kernel's to test). */
class RecordingBusProjection extends BusFollowedProjection {
  readonly name = 'bus-fed';
  protected readonly topics = ['as2.elsewhere.events'];

  constructor(private readonly calls: string[]) {
    super({ bus: new InProcessEventBus(), readModels: {} as ReadModelStore, parked: new InMemoryParkedEventStore() });
  }

  override async start(): Promise<void> {
    this.calls.push('start bus-fed');
  }

  override async stop(): Promise<void> {
    this.calls.push('stop bus-fed');
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

function storeFed(calls: string[]): Projection {
  return {
    name: 'store-fed',
    start: async () => void calls.push('start store-fed'),
    stop: async () => void calls.push('stop store-fed'),
    rebuild: async () => undefined,
    waitFor: async () => undefined,
  };
}

function lifecycleOf(options: Partial<EventSourcingOptions>, calls: string[]): ProjectionLifecycle {
  const registry = new ProjectionRegistry();
  registry.register(storeFed(calls));
  registry.register(new RecordingBusProjection(calls));
  return new ProjectionLifecycle(registry, options as EventSourcingOptions);
}

describe('ProjectionLifecycle', () => {
  it('subscribes bus-fed projections on module init, before relays publish, and the store-fed ones on bootstrap, each once', async () => {
    const calls: string[] = [];
    const lifecycle = lifecycleOf({}, calls);
    await lifecycle.onModuleInit();
    expect(calls).toEqual(['start bus-fed']);
    await lifecycle.onApplicationBootstrap();
    expect(calls).toEqual(['start bus-fed', 'start store-fed']);
    await lifecycle.beforeApplicationShutdown();
    expect(calls.slice(2).sort()).toEqual(['stop bus-fed', 'stop store-fed']);
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
