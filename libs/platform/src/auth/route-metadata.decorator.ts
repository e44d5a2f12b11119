import { SetMetadata } from '@nestjs/common';

/** A controller class's own methods, each as a method decorator takes it: its prototype, name and descriptor. */
export function* ownMethodsOf(controller: object): Generator<[object, string, PropertyDescriptor]> {
  const prototype = (controller as { prototype: object }).prototype;
  for (const name of Object.getOwnPropertyNames(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, name);
    if (name !== 'constructor' && descriptor !== undefined && typeof descriptor.value === 'function') yield [prototype, name, descriptor];
  }
}

/**
 * Metadata for a route (on its method) or for every route of a controller (on its class): on a class it is set on the
 * class and on each of its own methods that has none of its own (a method's own still overrides it), so whoever sees a
 * route's method alone (the check on a request's arrival, authenticateBeforeBody) reads what the guard reads.
 */
export function routeMetadata(key: string, value: unknown): MethodDecorator & ClassDecorator {
  return ((target: object, name?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) return SetMetadata(key, value)(target, name as string | symbol, descriptor);
    SetMetadata(key, value)(target as never);
    for (const [prototype, method, own] of ownMethodsOf(target)) if (!Reflect.hasOwnMetadata(key, own.value)) SetMetadata(key, value)(prototype, method, own);
    return target;
  }) as MethodDecorator & ClassDecorator;
}
