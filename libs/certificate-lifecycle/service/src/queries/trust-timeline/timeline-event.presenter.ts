import type { EvidenceData } from '@as2-partners/certificate-lifecycle-domain';
import type { RecordedEvent } from '@as2-partners/kernel';
import { apiShaped, toApiTimestamp } from '@as2-partners/platform';
import { presentEvidence } from './evidence.presenter';

/** PEM text is left out of the timeline (the certificate endpoints carry it), the evidence shown on its own. */
const LEFT_OUT = new Set(['pem', 'evidence']);

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
    data: apiShaped(event.data, LEFT_OUT),
    evidence: evidence ? presentEvidence(evidence) : null,
  };
}
