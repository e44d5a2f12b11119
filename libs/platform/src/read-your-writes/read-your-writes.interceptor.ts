import { Injectable, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, mergeMap, of, type Observable } from 'rxjs';
import { AfterWrite } from './after-write';
import { WriteVisibility } from './write-visibility';

/** Answers a route's AfterWrite once its writes are visible; resolved in the route's module, so with its service's WriteVisibility. */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(private readonly visibility: WriteVisibility) {}

  intercept(_context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return next.handle().pipe(mergeMap((result: unknown) => (result instanceof AfterWrite ? from(this.visibility.answer(result)) : of(result))));
  }
}

/** For command routes returning an AfterWrite: the caller's next read (of this or, embedded, another service) sees the write. */
export const ReadYourWrites = (): MethodDecorator & ClassDecorator => UseInterceptors(ReadYourWritesInterceptor);
