import type { NestInterceptor } from '@nestjs/common';
import { InterceptorsConsumer } from '@nestjs/core/interceptors/interceptors-consumer';

/**
 * An interceptor that can tell from the request alone that it would do nothing but `next.handle()`: the global ones
 * (the multipart check, Idempotency-Key) do nothing for nearly every request (no multipart body, no key).
 */
export interface PassThroughInterceptor extends NestInterceptor {
  /** True: for this request, `intercept` would only call `next.handle()` and answer what it answers. */
  passesThrough(request: unknown): boolean;
}

const isPassThrough = (interceptor: NestInterceptor): interceptor is PassThroughInterceptor =>
  typeof (interceptor as Partial<PassThroughInterceptor>).passesThrough === 'function';

type Intercept = InterceptorsConsumer['intercept'];
const SKIPS = Symbol.for('as2-partners.passThroughInterceptorsSkipped');

/**
 * Nest runs a route's interceptors for every request, even ones that pass it through untouched: an rxjs pipeline and an
 * AsyncResource bound per interceptor (each bind also builds two deprecation wrappers on Node 20), ~10 % of a partner
 * create's CPU for the two global interceptors. Where every interceptor of the route passes an HTTP request through,
 * the handler runs as Nest runs a route without interceptors (`next()`: the same pipes, handler and answer); otherwise
 * the interceptors run as before, every one of them. Nest builds its router's consumer itself, so the skip goes on its
 * class, once per process.
 */
export function skipPassThroughInterceptors(): void {
  const prototype = InterceptorsConsumer.prototype as InterceptorsConsumer & { [SKIPS]?: true };
  if (prototype[SKIPS]) return;
  const intercept: Intercept = prototype.intercept;
  prototype.intercept = function (this: InterceptorsConsumer, interceptors, args, instance, callback, next, type) {
    if (type === 'http' && passThrough(interceptors, args[0])) return next();
    return intercept.call(this, interceptors, args, instance, callback, next, type);
  } as Intercept;
  prototype[SKIPS] = true;
}

function passThrough(interceptors: readonly NestInterceptor[], request: unknown): boolean {
  for (const interceptor of interceptors) if (!isPassThrough(interceptor) || !interceptor.passesThrough(request)) return false;
  return true;
}
