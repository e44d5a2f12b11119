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

  it('rejects after the timeout, naming the follower and the position', async () => {
    await expect(new PositionWaiters().waitFor(9, 2, 20, 'projection x')).rejects.toThrow('projection x did not reach position 9 within 20 ms');
  });
});
