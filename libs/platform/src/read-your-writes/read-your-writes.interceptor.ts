import { applyDecorators, Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
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

/** Set by @ReadYourWrites() on an operation: it may answer 202 with the decided result when its views are late. */
export const LATE_VIEW_EXTENSION = 'x-late-view-202';

/** Documents the 202 a route answers when its views are late (WriteVisibility.respond), for one that calls it itself. */
export const AnswersLateView = (): MethodDecorator & ClassDecorator => ApiExtension(LATE_VIEW_EXTENSION, true);

/**
 * For command routes returning an AfterWrite: the caller's next read (of this or, embedded, another service) sees the
 * write; its OpenAPI operation gets the 202 it answers when the views are late.
 */
export const ReadYourWrites = (): MethodDecorator & ClassDecorator => applyDecorators(UseInterceptors(ReadYourWritesInterceptor), AnswersLateView());
