import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { AfterStart } from './after-start';
import { RequestsInFlight } from './requests-in-flight';

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await nextTurn();
};

describe('AfterStart', () => {
  it('runs nothing before begin, then the works one after another, the first ones first, none awaited by begin', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    let finish: () => void = () => undefined;
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.register('restore', () => new Promise<void>((resolve) => (finish = () => (ran.push('restore done'), resolve()))), { first: true });
    await nextTurn();
    expect(ran).toEqual([]);

    afterStart.begin();
    expect(ran).toEqual([]);
    await turns(3);
    // The walk waits for the restore a request may be waiting for.
    expect(ran).toEqual([]);
    finish();
    await turns(3);
    expect(ran).toEqual(['restore done', 'walk']);
  });

  it('runs the first ones in the order they were registered, before the others', async () => {
    const afterStart = new AfterStart();
    const ran: string[] = [];
    afterStart.register('walk', () => void ran.push('walk'));
    afterStart.register('traffic refill', () => void ran.push('traffic refill'), { first: true });
    afterStart.register('restore', () => void ran.push('restore'), { first: true });
    afterStart.register('late walk', () => void ran.push('late walk'));
    afterStart.begin();
    await turns(10);
    expect(ran).toEqual(['traffic refill', 'restore', 'walk', 'late walk']);
  });

  it('runs work registered after begin too, once, and a failing work does not stop the next', async () => {
    const afterStart = new AfterStart();
    afterStart.begin();
    afterStart.begin();
    const ran: string[] = [];
    afterStart.register('failing', () => {
      throw new Error('no directory');
    });
    afterStart.register('late', () => void ran.push('late'));
    await turns(4);
    expect(ran).toEqual(['late']);
  });

  it('begins each work once the requests being answered are (a create at ready does not wait behind a schema compile)', async () => {
    const requests = new RequestsInFlight({ maxWaitMs: 60_000 });
    const afterStart = new AfterStart(requests);
    const ran: string[] = [];
    afterStart.register('compile', () => void ran.push('compile'), { first: true });
    afterStart.register('walk', () => void ran.push('walk'));
    await requests.giveWay();
    const response = new EventEmitter();
    requests.began(response as unknown as ServerResponse);
    afterStart.begin();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ran).toEqual([]);
    response.emit('close');
    await turns(10);
    expect(ran).toEqual(['compile', 'walk']);
  });
});
