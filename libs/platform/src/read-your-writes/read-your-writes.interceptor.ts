import { Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, map, mergeMap, of, type Observable } from 'rxjs';
import { AfterWrite } from './after-write';
import { WriteVisibility } from './write-visibility';

/** Answers a route's AfterWrite once its writes are visible; resolved in the route's module, so with its service's WriteVisibility. */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly visibility: WriteVisibility) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(
      mergeMap((result: unknown) => {
        if (!(result instanceof AfterWrite)) return of(result);
        return from(this.visibility.settle(result)).pipe(
          map(({ value, visible }) => {
            // Stored but not yet in the views: 202 Accepted with the decided answer, never a 500 for a write that happened.
            if (!visible) void context.switchToHttp().getResponse<FastifyReply>().status(202);
            return value;
          }),
        );
      }),
    );
  }
}

/** For command routes returning an AfterWrite: the caller's next read (of this or, embedded, another service) sees the write. */
export const ReadYourWrites = (): MethodDecorator & ClassDecorator => UseInterceptors(ReadYourWritesInterceptor);
