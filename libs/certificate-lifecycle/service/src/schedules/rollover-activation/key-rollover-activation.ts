import {
  CertificateLifecycleStreams,
  dueKeyRolloverOf,
  keyActivationEvidenceDocument,
  keyAliasDecider,
  type ActivationTrigger,
  type KeyAliasCommand,
  type KeyAliasScope,
  type KeyAliasState,
  type OurKeyEvent,
} from '@as2-partners/certificate-lifecycle-domain';
import type { Clock, Decision, EventMetadata, WriteModel } from '@as2-partners/kernel';
import type { Timestamper } from '../../timestamping/timestamper';

/**
 * Makes one of our keys' next key current at its `activate_at`, with evidence as a partner's trust activation has:
 * what triggered it, the SHA-256 of both keys' certificates, and an RFC 3161 token over that document. Decided on the
 * alias's stream with its expected revision, so it happens once however many replicas try; a retry after a concurrent
 * append re-reads the state and stamps anew. A TSA that cannot stamp leaves the rollover due (the next tick tries again,
 * and the event records how late it came).
 */
export class KeyRolloverActivation {
  constructor(
    private readonly writeModel: WriteModel,
    private readonly timestamper: Timestamper,
    private readonly clock: Clock,
  ) {}

  activate(alias: KeyAliasScope, trigger: ActivationTrigger, metadataAt: (now: Date) => EventMetadata): Promise<Decision<KeyAliasState, OurKeyEvent>> {
    const firstNow = this.clock.now();
    return this.writeModel.decide(
      CertificateLifecycleStreams.keyAlias(alias.account, alias.tenant, alias.alias),
      keyAliasDecider,
      async (state): Promise<KeyAliasCommand | null> => {
        // Each attempt (after a concurrent append) stamps anew, at its own instant.
        const now = this.clock.now().toISOString();
        const due = dueKeyRolloverOf(state, now);
        // Nothing due (another replica or an earlier tick did it): no token asked for.
        if (!due) return null;
        const { document, sha256 } = keyActivationEvidenceDocument({
          account: alias.account,
          tenant: alias.tenant,
          alias: alias.alias,
          key: { keyId: due.next.keyId, sha256: due.next.certificate.fingerprintSha256 },
          previousKey: { keyId: due.current.keyId, sha256: due.current.certificate.fingerprintSha256 },
          trigger,
          scheduledFor: due.next.activateAt,
          activatedAt: now,
          overlapUntil: due.next.overlapUntil,
        });
        const stamp = await this.timestamper.stamp(document);
        return { type: 'activate_due_rollover', ...alias, trigger, now, evidence: { document, sha256, ...stamp } };
      },
      metadataAt(firstNow),
      // The event carries the instant it activates at, not the one this call started at.
      { metadataOf: (command) => metadataAt(new Date(command.now)) },
    );
  }
}
