import { Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, mergeMap, of, type Observable } from 'rxjs';
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
        // Stored but not yet in the views: 202 Accepted with the decided answer, never a 500 for a write that happened.
        const response = { status: (code: number) => context.switchToHttp().getResponse<FastifyReply>().status(code) };
        return from(this.visibility.respond(result, response));
      }),
    );
  }
}

/** For command routes returning an AfterWrite: the caller's next read (of this or, embedded, another service) sees the write. */
export const ReadYourWrites = (): MethodDecorator & ClassDecorator => UseInterceptors(ReadYourWritesInterceptor);
