import { ApiExtension } from '@nestjs/swagger';
import { PUBLIC_OPERATION_EXTENSION } from '../http/openapi/complete-openapi-document';
import { ownMethodsOf, routeMetadata } from './route-metadata.decorator';

export const IS_PUBLIC = 'as2:isPublic';

/** Opts a route (or a whole controller) out of bearer authentication: health checks, API docs; the OpenAPI document lists it without security. */
export const Public = (): MethodDecorator & ClassDecorator =>
  ((target: object, key?: string | symbol, descriptor?: PropertyDescriptor) => {
    // On a controller, on each of its methods too: the check of tokens on a request's arrival sees a route's method alone.
    routeMetadata(IS_PUBLIC, true)(target as never, key as never, descriptor as never);
    // The OpenAPI explorer reads extensions per method only, so a public controller marks each of its methods.
    if (descriptor) ApiExtension(PUBLIC_OPERATION_EXTENSION, true)(target, key as string | symbol, descriptor);
    else for (const [prototype, name, method] of ownMethodsOf(target)) ApiExtension(PUBLIC_OPERATION_EXTENSION, true)(prototype, name, method);
    return descriptor ?? target;
  }) as MethodDecorator & ClassDecorator;
