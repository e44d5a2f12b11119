import { forEachAtMost } from './for-each-at-most';

/** Work that waits until released, recording how many run at once. */
function gatedWork() {
  const started: number[] = [];
  const releases = new Map<number, () => void>();
  let running = 0;
  let most = 0;
  const work = (item: number) =>
    new Promise<void>((resolve) => {
      started.push(item);
      running += 1;
      most = Math.max(most, running);
      releases.set(item, () => {
        running -= 1;
        resolve();
      });
    });
  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return { work, started, releases, settle, most: () => most };
}

describe('forEachAtMost', () => {
  it('runs at most `limit` items at once, starting the next as one ends, in order, until all are done', async () => {
    const gate = gatedWork();
    let done = false;
    const all = forEachAtMost([1, 2, 3, 4, 5], 2, gate.work).then(() => (done = true));
    await gate.settle();
    expect(gate.started).toEqual([1, 2]);
    gate.releases.get(2)?.();
    await gate.settle();
    expect(gate.started).toEqual([1, 2, 3]);
    for (const item of [1, 3, 4, 5]) {
      await gate.settle();
      gate.releases.get(item)?.();
    }
    await all;
    expect([done, gate.started, gate.most()]).toEqual([true, [1, 2, 3, 4, 5], 2]);
  });

  it('starts nothing after a failure, waits for the running ones, then throws the first failure', async () => {
    const started: number[] = [];
    let finishedAfterFailure = false;
    const work = async (item: number) => {
      started.push(item);
      if (item === 2) throw new Error('item 2 failed');
      if (item === 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        finishedAfterFailure = true;
      }
    };
    await expect(forEachAtMost([1, 2, 3, 4], 2, work)).rejects.toThrow('item 2 failed');
    expect([started, finishedAfterFailure]).toEqual([[1, 2], true]);
  });

  it('takes any iterable, a map’s values included, and an empty one', async () => {
    const seen: string[] = [];
    await forEachAtMost(new Map([['a', 'x'], ['b', 'y']]).values(), 16, async (value) => void seen.push(value));
    await forEachAtMost([], 4, async () => void seen.push('never'));
    expect(seen).toEqual(['x', 'y']);
  });
});
