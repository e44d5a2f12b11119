import { type CallHandler, type ExecutionContext, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import { DECORATORS } from '@nestjs/swagger/dist/constants';
import { errorCodes, type FastifyRequest } from 'fastify';
import type { Observable } from 'rxjs';
import { readMultipartBodyOnce } from '../idempotency/multipart-body';
import { MULTIPART_REFUSAL } from './media-type-refusal';
import type { PassThroughInterceptor } from './pass-through-interceptors';

const MULTIPART = 'multipart/form-data';

type MultipartRequest = FastifyRequest & { isMultipart?: () => boolean };

/**
 * multipart/form-data is read only by the routes that declare it in their OpenAPI operation (`@ApiConsumes(…,
 * 'multipart/form-data')`, or a `requestBody` with that content: the certificate and key uploads, which read its parts
 * themselves). Anywhere else its parts would go unread and the route
 * would see no body at all (a PATCH answering NO_CHANGE_GIVEN, a create listing every field as missing): it is a 415,
 * as any other body that is not JSON. Runs after the guards, so a caller without a token still gets its 401 first.
 * Where it is declared, the body is read whole before the route reads its parts: one that ends inside a part (no
 * closing boundary, or none at all) is a 400, as malformed JSON is. Handed to the multipart reader, such a body makes
 * it emit an error on the stream of a part the route is not reading (one it skips, or one not reached yet), an error
 * nothing listens to, which would end the process.
 */
export class MultipartWhereDeclaredInterceptor implements PassThroughInterceptor {
  /**
   * `bodyLimitBytes`: BODY_LIMIT_BYTES. A route that reads parts itself reads past Fastify's body limit, so a multipart
   * body declaring more (Content-Length) is refused here with the 413 a JSON body that large gets, before a part is
   * read; one sent chunked, once that much of it has come.
   */
  constructor(
    private readonly reflector: Reflector,
    private readonly bodyLimitBytes: number = Number.POSITIVE_INFINITY,
  ) {}

  /** A request without a multipart body passes whatever the route declares. */
  passesThrough(request: MultipartRequest): boolean {
    return request.isMultipart?.() !== true;
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<MultipartRequest>();
      if (!this.passesThrough(request)) {
        if (!this.declaresMultipart(context)) throw new UnsupportedMediaTypeException(MULTIPART_REFUSAL);
        if (Number(request.headers['content-length']) > this.bodyLimitBytes) throw new errorCodes.FST_ERR_CTP_BODY_TOO_LARGE();
        await readMultipartBodyOnce(request, this.bodyLimitBytes);
      }
    }
    return next.handle();
  }

  private declaresMultipart(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const consumes = this.reflector.getAllAndOverride<string[] | undefined>(DECORATORS.API_CONSUMES, targets);
    const operation = this.reflector.getAllAndOverride<{ requestBody?: { content?: Record<string, unknown> } } | undefined>(DECORATORS.API_OPERATION, targets);
    return consumes?.includes(MULTIPART) === true || operation?.requestBody?.content?.[MULTIPART] !== undefined;
  }
}
