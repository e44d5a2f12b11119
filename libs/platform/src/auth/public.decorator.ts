import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'as2:isPublic';

/** Opts a route (or a whole controller) out of bearer authentication: health checks, API docs. */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC, true);
