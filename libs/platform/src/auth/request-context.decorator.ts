import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { RequestContext } from './caller';

/**
 * Injects the RequestContext the auth guard attached to the request (`request.context`).
 * Usage: `create(@Ctx() ctx: RequestContext, @Body() body: CreatePartnerDto)`.
 */
export const Ctx = createParamDecorator((_data: unknown, execution: ExecutionContext): RequestContext => {
  const request = execution.switchToHttp().getRequest<{ context?: RequestContext }>();
  if (!request.context) throw new Error('RequestContext missing: is the JwtAuthGuard installed?');
  return request.context;
});
