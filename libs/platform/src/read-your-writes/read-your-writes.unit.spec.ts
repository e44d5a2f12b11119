import { lastValueFrom, of } from 'rxjs';
import { Logger, type ExecutionContext } from '@nestjs/common';
import type { PublicationBarrier } from '../event-sourcing/provide-outbox-relay';
import { AfterWrite, lastPositionOf } from './after-write';
import { ReadYourWritesInterceptor } from './read-your-writes.interceptor';
import { STORED_NOT_YET_VISIBLE, WriteVisibility } from './write-visibility';

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

  it('answers 202 with the decided answer when a view is late, and never fails a stored write', async () => {
    const barrier = { delivered: () => Promise.resolve() } as unknown as PublicationBarrier;
    const late = { waitFor: () => Promise.reject(new Error('view did not reach position 7 within 5000 ms')) };
    const visibility = new WriteVisibility([late], barrier);
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const status = jest.fn();
      const context = { switchToHttp: () => ({ getResponse: () => ({ status }) }) } as unknown as ExecutionContext;
      const interceptor = new ReadYourWritesInterceptor(visibility);
      const written = new AfterWrite(7, () => Promise.reject(new Error('view has no such document')), () => ({ id: 'decided' })).map((v) => ({ data: v }));
      await expect(lastValueFrom(interceptor.intercept(context, { handle: () => of(written) }))).resolves.toEqual({ data: { id: 'decided' } });
      expect(status).toHaveBeenCalledWith(202);
      // Without a decided answer: the view-free answer if it works, else a plain "stored".
      await expect(visibility.settle(new AfterWrite(7, () => 'from state'))).resolves.toEqual({ value: 'from state', visible: false });
      await expect(visibility.settle(new AfterWrite(7, () => Promise.reject(new Error('no view'))))).resolves.toEqual({ value: STORED_NOT_YET_VISIBLE, visible: false });
    } finally {
      warned.mockRestore();
    }
  });

  it('answers 202 with the decided answer when the views reached the position but lost the write (a failed read-store transaction)', async () => {
    const barrier = { delivered: () => Promise.resolve() } as unknown as PublicationBarrier;
    const reached = { waitFor: () => Promise.resolve() };
    const visibility = new WriteVisibility([reached], barrier);
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      const lost = new AfterWrite(7, () => Promise.reject(new Error('Partner prt_1 missing from its view after the projection caught up')), () => ({ id: 'decided' }));
      await expect(visibility.settle(lost)).resolves.toEqual({ value: { id: 'decided' }, visible: false });
      expect(warned).toHaveBeenCalledWith(expect.stringMatching(/lost the write at 7/));
      // nothing decided to answer with, and the views did not fail: the failure stands
      await expect(visibility.settle(new AfterWrite(7, () => Promise.reject(new Error('broken'))))).rejects.toThrow('broken');
    } finally {
      warned.mockRestore();
    }
  });

  it('once the read store says its views lost writes, a reached write is answered 202 from what was decided, or as stored: never a 404 or the state before it', async () => {
    const barrier = { delivered: () => Promise.resolve() } as unknown as PublicationBarrier;
    const reached = { waitFor: () => Promise.resolve() };
    let lost: Error | null = null;
    const visibility = new WriteVisibility([reached], barrier, () => lost);
    const warned = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    try {
      await expect(visibility.settle(new AfterWrite(7, () => 'from the view'))).resolves.toEqual({ value: 'from the view', visible: true });
      lost = new Error('a read-model commit failed');
      // the view answers, but from before the change (a pause shown as not paused): not trusted
      await expect(visibility.settle(new AfterWrite(7, () => ({ paused: false }), () => ({ paused: true })))).resolves.toEqual({ value: { paused: true }, visible: false });
      await expect(visibility.settle(new AfterWrite(7, () => Promise.reject(new Error('Partnership pts_1 not found'))))).resolves.toEqual({ value: STORED_NOT_YET_VISIBLE, visible: false });
      await expect(visibility.settle(new AfterWrite(7, () => 'stale'))).resolves.toEqual({ value: STORED_NOT_YET_VISIBLE, visible: false });
      // the views failing while the answer is read: the answer read meanwhile is not trusted either
      lost = null;
      const racing = new AfterWrite(7, () => {
        lost = new Error('a read-model commit failed');
        return 'read as the commit failed';
      }, () => 'decided');
      await expect(visibility.settle(racing)).resolves.toEqual({ value: 'decided', visible: false });
      // nothing appended: nothing to have lost
      await expect(visibility.settle(new AfterWrite(null, () => 'unchanged'))).resolves.toEqual({ value: 'unchanged', visible: true });
      await expect(visibility.answer(new AfterWrite(7, () => 'stale'))).rejects.toThrow(/commit failed/);
    } finally {
      warned.mockRestore();
    }
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
