import { AfterStart } from './after-start';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe('AfterStart', () => {
  it('runs nothing before begin, then each registered work on a later turn, without waiting for it', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    let finish: () => void = () => undefined;
    afterStart.register('slow', () => new Promise<void>((resolve) => (finish = () => (ran.push('slow done'), resolve()))));
    afterStart.register('quick', () => void ran.push('quick'));
    await nextTurn();
    expect(ran).toEqual([]);

    afterStart.begin();
    expect(ran).toEqual([]);
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual(['quick']);
    finish();
    expect(ran).toEqual(['quick', 'slow done']);
  });

  it('runs work registered after begin too, once, and a failing work does not stop the others', async () => {
    const afterStart = new AfterStart();
    afterStart.begin();
    afterStart.begin();
    const ran: string[] = [];
    afterStart.register('failing', () => {
      throw new Error('no directory');
    });
    afterStart.register('late', () => void ran.push('late'));
    await nextTurn();
    await nextTurn();
    expect(ran).toEqual(['late']);
  });
});
