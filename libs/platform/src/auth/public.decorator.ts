import { SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_OPERATION_EXTENSION } from '../http/openapi/complete-openapi-document';

export const IS_PUBLIC = 'as2:isPublic';

/** Opts a route (or a whole controller) out of bearer authentication: health checks, API docs; the OpenAPI document lists it without security. */
export const Public = (): MethodDecorator & ClassDecorator =>
  ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      SetMetadata(IS_PUBLIC, true)(target, key as string | symbol, descriptor);
      ApiExtension(PUBLIC_OPERATION_EXTENSION, true)(target, key as string | symbol, descriptor);
      return descriptor;
    }
    SetMetadata(IS_PUBLIC, true)(target as never);
    // The OpenAPI explorer reads extensions per method only, and the check of tokens on a request's arrival sees a
    // route's method alone (authenticateBeforeBody), so a public controller marks each of its methods.
    const prototype = (target as { prototype: object }).prototype;
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const method = Object.getOwnPropertyDescriptor(prototype, name);
      if (name === 'constructor' || typeof method?.value !== 'function') continue;
      SetMetadata(IS_PUBLIC, true)(prototype, name, method);
      ApiExtension(PUBLIC_OPERATION_EXTENSION, true)(prototype, name, method);
    }
    return target;
  }) as MethodDecorator & ClassDecorator;
