import { PollingLoop, PollingScheduler, schedulerInstanceId, type PollingSchedulerOptions } from './polling-loop';

/** A pass the test settles by hand. */
function controlledTicks() {
  const pending: Array<{ resolve: () => void; reject: (error: unknown) => void }> = [];
  let running = 0;
  let maxRunning = 0;
  const tick = () =>
    new Promise<void>((resolve, reject) => {
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      pending.push({
        resolve: () => { running -= 1; resolve(); },
        reject: (error) => { running -= 1; reject(error); },
      });
    });
  return { tick, pending, maxRunning: () => maxRunning };
}

describe('PollingLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs a pass at once, the next one interval after the previous settled, never two at a time', async () => {
    const ticks = controlledTicks();
    const loop = new PollingLoop({ tick: ticks.tick, intervalMs: 1000, onError: () => undefined });
    loop.start();
    loop.start(); // a second start is a no-op
    expect(ticks.pending).toHaveLength(1);

    await jest.advanceTimersByTimeAsync(5000); // the first pass is still running: nothing new
    expect(ticks.pending).toHaveLength(1);

    ticks.pending[0].resolve();
    await jest.advanceTimersByTimeAsync(999);
    expect(ticks.pending).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(ticks.pending).toHaveLength(2);
    expect(ticks.maxRunning()).toBe(1);

    ticks.pending[1].resolve();
    await loop.stop();
  });

  it('reports a failed pass and keeps polling', async () => {
    const ticks = controlledTicks();
    const errors: unknown[] = [];
    const loop = new PollingLoop({ tick: ticks.tick, intervalMs: 10, onError: (error) => errors.push(error) });
    loop.start();
    ticks.pending[0].reject(new Error('store down'));
    await jest.advanceTimersByTimeAsync(10);
    expect(errors).toEqual([new Error('store down')]);
    expect(ticks.pending).toHaveLength(2);
    ticks.pending[1].resolve();
    await loop.stop();
  });

  it('stop waits for the pass in flight and schedules no more', async () => {
    const ticks = controlledTicks();
    const loop = new PollingLoop({ tick: ticks.tick, intervalMs: 10, onError: () => undefined });
    loop.start();
    let stopped = false;
    const stopping = loop.stop().then(() => { stopped = true; });
    await jest.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    ticks.pending[0].resolve();
    await stopping;
    await jest.advanceTimersByTimeAsync(1000);
    expect(ticks.pending).toHaveLength(1);
  });

  it('restarts after a stop', async () => {
    const ticks = controlledTicks();
    const loop = new PollingLoop({ tick: ticks.tick, intervalMs: 10, onError: () => undefined });
    loop.start();
    ticks.pending[0].resolve();
    await loop.stop();
    loop.start();
    expect(ticks.pending).toHaveLength(2);
    ticks.pending[1].resolve();
    await loop.stop();
  });

  it('names an instance by prefix, host and process, unique per call', () => {
    const a = schedulerInstanceId('traffic-scheduler');
    expect(a).toMatch(new RegExp(`^traffic-scheduler:.+:${process.pid}:[0-9a-f]{8}$`));
    expect(schedulerInstanceId('traffic-scheduler')).not.toBe(a);
  });
});

class FailingOnceScheduler extends PollingScheduler {
  passes = 0;
  constructor(options: PollingSchedulerOptions) {
    super(options, { prefix: 'test-scheduler', label: 'Test scheduler' });
  }
  override async tick(): Promise<number> {
    this.passes += 1;
    if (this.passes === 1) throw new Error('view down');
    return 0;
  }
}

describe('PollingScheduler', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs its pass on the loop, logs a failed pass under its label and goes on', async () => {
    const errors: Array<[string, Record<string, unknown> | undefined]> = [];
    const scheduler = new FailingOnceScheduler({ intervalMs: 100, logger: { warn: () => undefined, error: (message, context) => errors.push([message, context]) } });
    expect(scheduler.instanceId).toMatch(/^test-scheduler:/);
    scheduler.start();
    await jest.advanceTimersByTimeAsync(100);
    expect(scheduler.passes).toBe(2);
    expect(errors).toEqual([['Test scheduler tick failed', { error: 'Error: view down' }]]);
    await scheduler.stop();
    await jest.advanceTimersByTimeAsync(1000);
    expect(scheduler.passes).toBe(2);
  });

  it('keeps an instance id it is given', () => {
    expect(new FailingOnceScheduler({ intervalMs: 100, instanceId: 'replica-a' }).instanceId).toBe('replica-a');
  });
});
