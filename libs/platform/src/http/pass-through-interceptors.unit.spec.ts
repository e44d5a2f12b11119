import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer';
import { lastValueFrom, map, type Observable, isObservable } from 'rxjs';
import { skipPassThroughInterceptors, type PassThroughInterceptor } from './pass-through-interceptors';

/** Records each intercept; passes a request through when its `plain` flag says so, else doubles the answer. */
class Doubling implements PassThroughInterceptor {
  intercepted = 0;
  passesThrough(request: { plain?: boolean }): boolean {
    return request.plain === true;
  }
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.intercepted++;
    return next.handle().pipe(map((answer) => (answer as number) * 2));
  }
}

/** An interceptor that cannot tell beforehand (no passesThrough). */
class Counting implements NestInterceptor {
  intercepted = 0;
  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    this.intercepted++;
    return next.handle();
  }
}

/** What Nest's router does with intercept's result: an Observable's last value, else the awaited value. */
async function answerOf(result: unknown): Promise<unknown> {
  const awaited = await result;
  return isObservable(awaited) ? lastValueFrom(awaited) : awaited;
}

describe('skipPassThroughInterceptors', () => {
  const consumer = new InterceptorsConsumer();
  const instance = {};
  const callback = () => undefined;
  beforeAll(() => skipPassThroughInterceptors());

  it('runs the handler alone, once, when every interceptor of the route passes the HTTP request through', async () => {
    const first = new Doubling();
    const second = new Doubling();
    let handled = 0;
    const answer = await answerOf(consumer.intercept([first, second], [{ plain: true }, {}, () => undefined], instance, callback, async () => ++handled * 21, 'http'));
    expect(answer).toBe(21);
    expect(handled).toBe(1);
    expect([first.intercepted, second.intercepted]).toEqual([0, 0]);
  });

  it('runs every interceptor when one of them has something to do for the request', async () => {
    const first = new Doubling();
    const second = new Doubling();
    const answer = await answerOf(consumer.intercept([first, second], [{ plain: false }, {}, () => undefined], instance, callback, async () => 5, 'http'));
    expect(answer).toBe(20);
    expect([first.intercepted, second.intercepted]).toEqual([1, 1]);
  });

  it('runs them all when one cannot tell beforehand, and for contexts other than HTTP', async () => {
    const passing = new Doubling();
    const counting = new Counting();
    expect(await answerOf(consumer.intercept([passing, counting], [{ plain: true }, {}, () => undefined], instance, callback, async () => 3, 'http'))).toBe(6);
    expect([passing.intercepted, counting.intercepted]).toEqual([1, 1]);
    const alone = new Doubling();
    expect(await answerOf(consumer.intercept([alone], [{ plain: true }], instance, callback, async () => 4, 'rpc'))).toBe(8);
    expect(alone.intercepted).toBe(1);
  });

  it("passes the handler's failure on as Nest does without interceptors, and is put on Nest's consumer once", async () => {
    const failure = new Error('refused');
    await expect(answerOf(consumer.intercept([new Doubling()], [{ plain: true }], instance, callback, async () => Promise.reject(failure), 'http'))).rejects.toBe(failure);
    const patched = InterceptorsConsumer.prototype.intercept;
    skipPassThroughInterceptors();
    expect(InterceptorsConsumer.prototype.intercept).toBe(patched);
  });
});
