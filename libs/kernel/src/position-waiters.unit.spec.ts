import { PositionWaiters } from './position-waiters';

describe('PositionWaiters', () => {
  it('resolves at once when the position is already reached', async () => {
    await expect(new PositionWaiters().waitFor(5, 5, 10, 'follower')).resolves.toBeUndefined();
  });

  it('resolves waiters at or below the released position and keeps the others', async () => {
    const waiters = new PositionWaiters();
    const settled: number[] = [];
    const a = waiters.waitFor(3, null, 1000, 'f').then(() => settled.push(3));
    const b = waiters.waitFor(7, 1, 1000, 'f').then(() => settled.push(7));
    waiters.release(4);
    await a;
    expect(settled).toEqual([3]);
    waiters.release(7);
    await b;
    expect(settled).toEqual([3, 7]);
  });

  it('releases waiters added out of position order by their positions', async () => {
    const waiters = new PositionWaiters();
    const settled: number[] = [];
    const waits = [8, 3, 12, 5, 3].map((position) => waiters.waitFor(position, null, 1000, 'f').then(() => settled.push(position)));
    waiters.release(5);
    await Promise.all(waits.slice(1, 2).concat(waits.slice(3)));
    expect(settled.sort((a, b) => a - b)).toEqual([3, 3, 5]);
    waiters.release(12);
    await Promise.all(waits);
    expect(settled.sort((a, b) => a - b)).toEqual([3, 3, 5, 8, 12]);
  });

  it('shares one timer among its waits, and leaves none once every wait is released', () => {
    jest.useFakeTimers();
    try {
      const setTimer = jest.spyOn(global, 'setTimeout');
      const waiters = new PositionWaiters();
      const waits = Array.from({ length: 50 }, (_, i) => waiters.waitFor(i + 1, null, 5000, 'f'));
      expect(setTimer).toHaveBeenCalledTimes(1);
      expect(jest.getTimerCount()).toBe(1);
      waiters.release(50);
      expect(jest.getTimerCount()).toBe(0);
      setTimer.mockRestore();
      return Promise.all(waits);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a wait with an earlier deadline on time, though an earlier wait with a later one armed the timer', async () => {
    const waiters = new PositionWaiters();
    const patient = waiters.waitFor(10, null, 60_000, 'patient');
    await expect(waiters.waitFor(11, null, 20, 'hasty')).rejects.toThrow('hasty did not reach position 11 within 20 ms');
    waiters.release(10);
    await expect(patient).resolves.toBeUndefined();
  });

  it('refuses only the waits past their deadline; the others still resolve on release', async () => {
    const waiters = new PositionWaiters();
    const late = waiters.waitFor(4, null, 20, 'late');
    const kept = waiters.waitFor(3, null, 60_000, 'kept');
    await expect(late).rejects.toThrow('late did not reach position 4 within 20 ms');
    waiters.release(4);
    await expect(kept).resolves.toBeUndefined();
  });

  it('rejects after the timeout, naming the follower and the position', async () => {
    await expect(new PositionWaiters().waitFor(9, 2, 20, 'projection x')).rejects.toThrow('projection x did not reach position 9 within 20 ms');
  });
});
