import type { Role } from './caller';
import { routeMetadata } from './route-metadata.decorator';

export const REQUIRED_ROLES = 'as2:requiredRoles';

/** The caller needs at least one of these roles (403 otherwise). On a method it overrides the controller's. */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator => routeMetadata(REQUIRED_ROLES, roles);
