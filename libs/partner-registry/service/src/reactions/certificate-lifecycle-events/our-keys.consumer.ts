import { BusFollowedProjection, type BusFollowedProjectionDependencies, type ReadModelCollection, type RecordedEvent, holdsNoDocument } from '@as2-partners/kernel';
import { OUR_KEY_INDEXES, OUR_KEYS_COLLECTION, type OurKeyDocument } from '../../queries/exchange-views/our-key.document';
import { CERTIFICATE_LIFECYCLE_TOPIC } from './certificate-lifecycle-events';

export const OUR_KEYS_GROUP_ID = 'partner-registry.our-keys';

/** The certificate-lifecycle `key.*` payloads as far as this service reads them (it never imports that context). */
interface KeyFacts {
  readonly account: string;
  readonly tenant: string | null;
  readonly alias: string;
  readonly keyId?: string;
  readonly role?: string;
  readonly certificate?: { readonly fingerprintSha256?: string; readonly notAfter?: string };
  readonly nextKeyId?: string;
  readonly activateAt?: string;
  readonly overlapUntil?: string;
  readonly previousKeyId?: string;
  readonly retiredKeyId?: string | null;
}

const KEY_TYPES = new Set(['key.created.v1', 'key.rollover_scheduled.v1', 'key.rollover_activated.v1', 'key.retired.v1', 'key.deleted.v1']);

/** Which of our keys each alias holds, for the `keys` of an AS2 instance's details; idempotent puts and deletes. */
export class OurKeysConsumer extends BusFollowedProjection {
  readonly name = OUR_KEYS_GROUP_ID;
  protected readonly topics = [CERTIFICATE_LIFECYCLE_TOPIC];
  private readonly keys: ReadModelCollection<OurKeyDocument>;

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    this.keys = followed.readModels.collection(OUR_KEYS_COLLECTION, OUR_KEY_INDEXES);
  }

  protected accepts(event: RecordedEvent): boolean {
    return KEY_TYPES.has(event.type);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const d = event.data as KeyFacts;
    switch (event.type) {
      case 'key.created.v1': {
        if (!d.keyId) return;
        const role = d.role === 'next' ? 'next' : 'current';
        const existing = await this.keys.get(d.keyId);
        // A redelivered creation never undoes a later activation.
        if (existing && existing.role !== role) return;
        await this.keys.put({
          _id: d.keyId,
          keyId: d.keyId,
          account: d.account,
          tenant: d.tenant ?? null,
          alias: d.alias,
          role,
          fingerprintSha256: d.certificate?.fingerprintSha256 ?? '',
          notAfter: d.certificate?.notAfter ?? '',
          activateAt: existing?.activateAt ?? null,
          overlapUntil: existing?.overlapUntil ?? null,
        });
        return;
      }
      case 'key.rollover_scheduled.v1': {
        const next = d.nextKeyId ? await this.keys.get(d.nextKeyId) : null;
        if (next) await this.keys.put({ ...next, activateAt: d.activateAt ?? null, overlapUntil: d.overlapUntil ?? null });
        return;
      }
      case 'key.rollover_activated.v1': {
        const previous = d.previousKeyId ? await this.keys.get(d.previousKeyId) : null;
        if (previous) await this.keys.put({ ...previous, role: 'previous', overlapUntil: d.overlapUntil ?? null });
        const current = d.keyId ? await this.keys.get(d.keyId) : null;
        // The rollover's overlap belongs to the key it replaced: the current key's own overlap is none.
        if (current) await this.keys.put({ ...current, role: 'current', activateAt: null, overlapUntil: null });
        if (d.retiredKeyId) await this.keys.delete(d.retiredKeyId);
        return;
      }
      // A retired key (its overlap over) is no key of the instance any more, as a deleted one.
      case 'key.retired.v1':
      case 'key.deleted.v1':
        if (d.keyId) await this.keys.delete(d.keyId);
        return;
    }
  }

  protected clear(): Promise<void> {
    return this.keys.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.keys);
  }
}
