import { jsonEvent, type EventData, type Position, type ResolvedEvent } from '@eventstore/db-client';
import type { Actor, EventMetadata, NewEvent, RecordedEvent } from '@as2-partners/kernel';

/** What an event's ESDB metadata JSON holds: our envelope plus ESDB's own correlation/causation keys. */
export interface EsdbEventMetadata extends EventMetadata {
  readonly schemaVersion: number;
  readonly $correlationId: string;
  readonly $causationId?: string;
}

type EsdbRecordedEvent = NonNullable<ResolvedEvent['event']>;

/** ESDB reports this (2^64 - 1) instead of a position where it has none. */
const NO_POSITION = 2n ** 64n - 1n;

export function toEventData(event: NewEvent): EventData {
  const { metadata } = event;
  const esdbMetadata: EsdbEventMetadata = {
    schemaVersion: event.schemaVersion,
    account: metadata.account,
    tenant: metadata.tenant,
    correlationId: metadata.correlationId,
    causationId: metadata.causationId,
    actor: metadata.actor,
    occurredAt: metadata.occurredAt,
    ...(metadata.traceparent === undefined ? {} : { traceparent: metadata.traceparent }),
    ...(metadata.tracestate === undefined ? {} : { tracestate: metadata.tracestate }),
    $correlationId: metadata.correlationId,
    ...(metadata.causationId === null ? {} : { $causationId: metadata.causationId }),
  };
  return jsonEvent({
    id: event.id,
    type: event.type,
    data: (event.data ?? null) as never,
    metadata: esdbMetadata,
  });
}

export function fromEsdbEvent(event: EsdbRecordedEvent): RecordedEvent {
  const metadata = event.metadata as Partial<EsdbEventMetadata> | undefined;
  if (!event.isJson || !metadata || typeof metadata.schemaVersion !== 'number' || typeof metadata.account !== 'string') {
    throw new Error(`Event ${event.id} in ${event.streamId} has no as2-partners envelope in its metadata`);
  }
  return {
    id: event.id,
    type: event.type,
    schemaVersion: metadata.schemaVersion,
    data: event.data,
    metadata: {
      account: metadata.account,
      tenant: metadata.tenant ?? null,
      correlationId: metadata.correlationId ?? '',
      causationId: metadata.causationId ?? null,
      actor: metadata.actor as Actor,
      occurredAt: metadata.occurredAt ?? '',
      ...(typeof metadata.traceparent === 'string' ? { traceparent: metadata.traceparent } : {}),
      ...(typeof metadata.tracestate === 'string' ? { tracestate: metadata.tracestate } : {}),
    },
    stream: event.streamId,
    revision: Number(event.revision),
    position: positionNumberOf(event),
  };
}

/**
 * Our position is the commit position. Every event of an append is committed on its own in ESDB ≥ 20
 * (commit = prepare = its log position), so one number identifies it and is strictly increasing.
 */
export function positionNumberOf(event: { readonly id: string; readonly position?: Position }): number {
  const commit = event.position?.commit;
  if (commit === undefined || commit === NO_POSITION) {
    throw new Error(`EventStoreDB returned no $all position for event ${event.id} (stream reads carry one from server 22.6 on)`);
  }
  return Number(commit);
}

export function toEsdbPosition(position: number): Position {
  return { commit: BigInt(position), prepare: BigInt(position) };
}

/** Our events: not ESDB's own (`$`-prefixed types or streams), which also hide our checkpoint events. */
export function isDomainEvent(event: { readonly streamId: string; readonly type: string }): boolean {
  return !event.type.startsWith('$') && !event.streamId.startsWith('$');
}
