import { lastValueFrom, of } from 'rxjs';
import type { ExecutionContext } from '@nestjs/common';
import type { PublicationBarrier } from '../event-sourcing/provide-outbox-relay';
import { AfterWrite, lastPositionOf } from './after-write';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor';
import { WriteVisibility } from './write-visibility';

/** A follower at `at`, caught up to a position only when the test moves it there. */
class ControlledFollower {
  at = 0;
  private readonly waiting: { position: number; resolve: () => void }[] = [];

  waitFor(position: number): Promise<void> {
    if (position <= this.at) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ position, resolve }));
  }

  moveTo(position: number): void {
    this.at = position;
    for (const w of this.waiting.filter((w) => w.position <= position)) w.resolve();
  }
}

function setUp() {
  const view = new ControlledFollower();
  const bus = new ControlledFollower();
  const barrier = { delivered: (position: number | null) => (position === null ? Promise.resolve() : bus.waitFor(position)) } as unknown as PublicationBarrier;
  const interceptor = new ReadYourWritesInterceptor(new WriteVisibility([view], barrier));
  const run = (result: unknown) => lastValueFrom(interceptor.intercept({} as ExecutionContext, { handle: () => of(result) }));
  return { view, bus, run };
}

describe('ReadYourWritesInterceptor', () => {
  it('answers an AfterWrite only once the views and the publication barrier reached its position', async () => {
    const { view, bus, run } = setUp();
    const read: number[] = [];
    const answered = run(new AfterWrite(7, () => (read.push(view.at), 'view at 7')).map((v) => ({ data: v })));
    view.moveTo(7);
    await new Promise((resolve) => setImmediate(resolve));
    expect(read).toEqual([]); // the views have it, the other services' consumers not yet
    bus.moveTo(7);
    await expect(answered).resolves.toEqual({ data: 'view at 7' });
    expect(read).toEqual([7]);
  });

  it('answers at once when the command appended nothing, and passes other results through', async () => {
    const { run } = setUp();
    await expect(run(new AfterWrite(null, () => 'unchanged'))).resolves.toBe('unchanged');
    await expect(run({ data: 1 })).resolves.toEqual({ data: 1 });
  });

  it('refuses to serialize an AfterWrite a route returned without the interceptor', () => {
    expect(() => JSON.stringify(new AfterWrite(1, () => 'x'))).toThrow(/@ReadYourWrites/);
  });
});

describe('lastPositionOf', () => {
  it('is the highest known position, null when none is known', () => {
    expect(lastPositionOf(3, null, 9)).toBe(9);
    expect(lastPositionOf(null, null)).toBeNull();
  });
});
