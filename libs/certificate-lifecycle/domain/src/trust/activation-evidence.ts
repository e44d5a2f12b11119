import { createHash } from 'node:crypto';
import type { SlotName } from '../certificate-usage';
import type { ActivationTrigger } from '../partner-certificates/partner-certificates.events';

export interface ActivationFacts {
  readonly account: string;
  readonly tenant: string | null;
  readonly partnerId: string;
  readonly slots: readonly SlotName[];
  readonly next: { readonly certificateId: string; readonly sha256: string };
  readonly previous: readonly { readonly slot: SlotName; readonly certificateId: string | null; readonly sha256: string | null }[];
  readonly trigger: ActivationTrigger;
  readonly scheduledFor: string;
  readonly activatedAt: string;
  readonly overlapUntil: string;
}

/** The document an RFC 3161 timestamp is requested over, and its SHA-256 (what the token's message imprint holds). */
export interface EvidenceDocument {
  readonly document: string;
  readonly sha256: string;
}

/**
 * The exact UTF-8 text that is stamped: one JSON object with a fixed key order, so anyone can re-hash the stored
 * `document` and compare it with the token's imprint (`openssl ts -verify -digest <sha256>`).
 */
export function activationEvidenceDocument(facts: ActivationFacts): EvidenceDocument {
  const document = JSON.stringify({
    purpose: 'as2-partners trust activation',
    account: facts.account,
    tenant: facts.tenant,
    partner_id: facts.partnerId,
    slots: facts.slots,
    certificate: { id: facts.next.certificateId, sha256: facts.next.sha256 },
    previous_certificates: facts.previous.map((p) => ({ slot: p.slot, id: p.certificateId, sha256: p.sha256 })),
    trigger: { type: facts.trigger.type, actor: facts.trigger.actor },
    scheduled_for: facts.scheduledFor,
    activated_at: facts.activatedAt,
    overlap_until: facts.overlapUntil,
  });
  return { document, sha256: createHash('sha256').update(document, 'utf8').digest('hex') };
}

/** What our own key's rollover activation proves: the alias's new current key and the one it replaced, by their certificates. */
export interface KeyActivationFacts {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
  readonly key: { readonly keyId: string; readonly sha256: string };
  readonly previousKey: { readonly keyId: string; readonly sha256: string };
  readonly trigger: ActivationTrigger;
  readonly scheduledFor: string;
  readonly activatedAt: string;
  readonly overlapUntil: string;
}

/**
 * The document stamped when one of our keys' next key becomes current (as a partner's trust activation is): one JSON
 * object with a fixed key order, its certificates named by their SHA-256, so the stored `document` re-hashes to the
 * token's imprint.
 */
export function keyActivationEvidenceDocument(facts: KeyActivationFacts): EvidenceDocument {
  const document = JSON.stringify({
    purpose: 'as2-partners key rollover activation',
    account: facts.account,
    tenant: facts.tenant,
    alias: facts.alias,
    key: { id: facts.key.keyId, certificate_sha256: facts.key.sha256 },
    previous_key: { id: facts.previousKey.keyId, certificate_sha256: facts.previousKey.sha256 },
    trigger: { type: facts.trigger.type, actor: facts.trigger.actor },
    scheduled_for: facts.scheduledFor,
    activated_at: facts.activatedAt,
    overlap_until: facts.overlapUntil,
  });
  return { document, sha256: createHash('sha256').update(document, 'utf8').digest('hex') };
}
