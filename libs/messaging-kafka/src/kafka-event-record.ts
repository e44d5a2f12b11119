import { aggregateIdOf, type RecordedEvent } from '@as2-partners/kernel';
import { cloudEventHeaders } from './cloud-event-headers';

export interface KafkaEventMessage {
  readonly key: string;
  readonly value: string;
  readonly headers: Record<string, string>;
}

/** A record value that is not an event envelope; the consumer keeps retrying it (it never skips). */
export class MalformedEventRecordError extends Error {
  override readonly name = 'MalformedEventRecordError';
}

/** The key of an event's record: its aggregate id (one partition per aggregate keeps its order). */
export function recordKeyOf(event: RecordedEvent): string {
  return aggregateIdOf(event.stream);
}

/** The Kafka record of an event: keyed by aggregate id (one partition per aggregate keeps its order). */
export function kafkaMessageOf(event: RecordedEvent, topic: string, dataschema?: string): KafkaEventMessage {
  const envelope = {
    id: event.id,
    type: event.type,
    schemaVersion: event.schemaVersion,
    stream: event.stream,
    revision: event.revision,
    position: event.position,
    data: event.data,
    metadata: event.metadata,
  };
  return { key: recordKeyOf(event), value: JSON.stringify(envelope), headers: cloudEventHeaders(event, topic, { dataschema }) };
}

/** Parses a record value back into the RecordedEvent it was made from. */
export function recordedEventOf(value: Buffer | string | null): RecordedEvent {
  if (value === null) throw new MalformedEventRecordError('The record has no value');
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch (error) {
    throw new MalformedEventRecordError(`The record value is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed)) throw new MalformedEventRecordError('The record value is not a JSON object');
  const envelope = parsed;
  const metadata = envelope['metadata'];
  const problems = [
    ...['id', 'type', 'stream'].filter((field) => typeof envelope[field] !== 'string'),
    ...['schemaVersion', 'revision', 'position'].filter((field) => typeof envelope[field] !== 'number'),
    // An event's data is a JSON value the bus carries as it is (the bus contract), but never null: no handler reads a
    // null, attempt after attempt.
    ...(envelope['data'] === undefined || envelope['data'] === null ? ['data'] : []),
    ...(isObject(metadata)
      ? [
          ...['account', 'correlationId', 'occurredAt'].filter((field) => typeof metadata[field] !== 'string').map((f) => `metadata.${f}`),
          ...(isObject(metadata['actor']) ? [] : ['metadata.actor']),
        ]
      : ['metadata']),
  ];
  if (problems.length > 0) throw new MalformedEventRecordError(`The record value is not an event envelope (bad or missing: ${problems.join(', ')})`);
  return envelope as unknown as RecordedEvent;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Where a record sits: the id of a foreign record, unique per topic. */
export interface RecordCoordinates {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  /** Kafka's record timestamp (ms since the epoch, as a string). */
  readonly timestamp: string;
}

/**
 * A record of a topic other systems write: an envelope is read as one; any other JSON object becomes an event of
 * `type` carrying it as `data` (metadata from its `account`/`tenant` fields when they are strings). The consumer
 * validates `data` itself: nothing of it is trusted here.
 */
export function foreignRecordOf(value: Buffer | string | null, type: string, at: RecordCoordinates): RecordedEvent {
  try {
    return recordedEventOf(value);
  } catch (error) {
    if (!(error instanceof MalformedEventRecordError) || value === null) throw error;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch (error) {
    throw new MalformedEventRecordError(`The record value is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!isObject(parsed)) throw new MalformedEventRecordError('The record value is not a JSON object');
  const id = `${at.topic}:${at.partition}:${at.offset}`;
  const offset = Number(at.offset);
  const text = (field: string): string | null => (typeof parsed[field] === 'string' ? (parsed[field] as string) : null);
  return {
    id,
    type,
    schemaVersion: 1,
    stream: `${at.topic}-${at.partition}`,
    revision: offset,
    position: offset,
    data: parsed,
    metadata: {
      account: text('account') ?? '',
      tenant: text('tenant'),
      correlationId: id,
      causationId: null,
      actor: { type: 'service', id: at.topic },
      occurredAt: new Date(Number(at.timestamp) || 0).toISOString(),
    },
  };
}
