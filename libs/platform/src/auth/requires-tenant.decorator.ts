import { routeMetadata } from './route-metadata.decorator';

export const REQUIRES_TENANT = 'as2:requiresTenant';

/**
 * Every route of the controller (or the route) acts on the caller's tenant alone: a token without a tenant claim is
 * refused 403 TENANT_REQUIRED by the auth guard, before the query or body is checked, as its handler's requireTenant
 * would refuse it after. Not for a route an account-level token may use on some resources.
 */
export const RequiresTenant = (): MethodDecorator & ClassDecorator => routeMetadata(REQUIRES_TENANT, true);
