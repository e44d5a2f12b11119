import { SetMetadata } from '@nestjs/common';

/**
 * Metadata for a route (on its method) or for every route of a controller (on its class): on a class it is set on the
 * class and on each of its own methods that has none of its own (a method's own still overrides it), so whoever sees a
 * route's method alone (the check on a request's arrival, authenticateBeforeBody) reads what the guard reads.
 */
export function routeMetadata(key: string, value: unknown): MethodDecorator & ClassDecorator {
  return ((target: object, name?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) return SetMetadata(key, value)(target, name as string | symbol, descriptor);
    SetMetadata(key, value)(target as never);
    const prototype = (target as { prototype: object }).prototype;
    for (const method of Object.getOwnPropertyNames(prototype)) {
      const own = Object.getOwnPropertyDescriptor(prototype, method);
      if (method === 'constructor' || typeof own?.value !== 'function' || Reflect.hasOwnMetadata(key, own.value)) continue;
      SetMetadata(key, value)(prototype, method, own);
    }
    return target;
  }) as MethodDecorator & ClassDecorator;
}
