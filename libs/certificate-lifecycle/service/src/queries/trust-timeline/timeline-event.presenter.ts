import type { EvidenceData } from '@as2-partners/certificate-lifecycle-domain';
import type { RecordedEvent } from '@as2-partners/kernel';
import { apiTimestampIfIso, toApiTimestamp } from '@as2-partners/platform';
import { presentEvidence } from './evidence.presenter';

const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** The API's field naming for event data; PEM text is left out of the timeline (the certificate endpoints carry it). */
function snakeCased(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(snakeCased);
  if (value === null || typeof value !== 'object') return apiTimestampIfIso(value);
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([key]) => key !== 'pem' && key !== 'evidence')
      .map(([key, inner]) => [/^(cert|prt)_/.test(key) ? key : snake(key), snakeCased(inner)]),
  );
}

export function presentTimelineEvent(event: RecordedEvent) {
  const evidence = (event.data as { evidence?: EvidenceData }).evidence;
  return {
    id: event.id,
    type: event.type,
    occurred_at: toApiTimestamp(event.metadata.occurredAt),
    actor: { type: event.metadata.actor.type, id: event.metadata.actor.id },
    correlation_id: event.metadata.correlationId,
    stream: event.stream,
    position: event.position,
    data: snakeCased(event.data),
    evidence: evidence ? presentEvidence(evidence) : null,
  };
}
