import { collectStartGarbage } from './start-garbage';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('collectStartGarbage', () => {
  it('collects what nothing holds any more, without --expose-gc, and leaves no gc function on the global', async () => {
    let start: { readonly pages: number[] } | null = { pages: Array.from({ length: 10_000 }, (_, i) => i) };
    const held = new WeakRef(start);
    start = null;
    // a WeakRef keeps its target until the turn that made it ends
    await nextTurn();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    collectStartGarbage();
    expect(held.deref()).toBeUndefined();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });

  it('answers how long the collection took', () => {
    let calls = 0;
    const ms = collectStartGarbage(() => {
      calls += 1;
      const until = performance.now() + 5;
      while (performance.now() < until);
    });
    expect(calls).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(5);
  });
});
