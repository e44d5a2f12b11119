import type { DecidedEvent, Decider, WriteModel } from '@as2-partners/kernel';
import type { RequestContext } from '../auth/caller';
import { requestMetadata } from './event-metadata';

/** What makes a command this request's for the write model (its Idempotency-Key): its events' ids, and on a repeat its first outcome. */
export function commandOf(ctx: RequestContext): { readonly commandId?: string } {
  return ctx.commandId === undefined ? {} : { commandId: ctx.commandId };
}

/**
 * The deletion this request's command already stored on `stream`, null if none: a retry with the same Idempotency-Key
 * after a crash between the event and the answer finds the entity gone by this very request, not unknown.
 */
export async function recordedDeletionOf<C, S, E extends DecidedEvent>(
  writeModel: WriteModel,
  stream: string,
  decider: Decider<C, S, E>,
  ctx: RequestContext,
): Promise<{ readonly deletedAt: string } | null> {
  if (ctx.commandId === undefined) return null;
  // Decides nothing: with the command id, the write model answers the outcome it recorded for it, if any.
  const seen = await writeModel.decide(stream, decider, () => null, requestMetadata(ctx, ctx.caller.tenant, new Date()), { commandId: ctx.commandId });
  const deletion = seen.events.find((event) => event.type.endsWith('.deleted.v1'));
  const deletedAt = (deletion?.data as { deletedAt?: unknown } | undefined)?.deletedAt;
  return typeof deletedAt === 'string' ? { deletedAt } : null;
}
