import type { Caller, RequestContext } from './caller';

/** The caller the auth guard found for a request, if any (public routes and refused tokens have none). */
export function callerOf(request: object): Caller | null {
  return (request as { context?: RequestContext }).context?.caller ?? null;
}
