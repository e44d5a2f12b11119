import { OUR_KEY_EVENT_TYPES, type OurKeyEvent } from '@as2-partners/certificate-lifecycle-domain';
import { FollowedProjection, type FollowedProjectionDependencies, type ReadModelCollection, type ReadModelStore, type RecordedEvent } from '@as2-partners/kernel';
import { DELETED_KEYS_COLLECTION, KEY_VIEW_INDEXES, KEY_VIEWS_COLLECTION, type DeletedKeyDocument, type KeyViewDocument } from './key-view.document';

const KEY_EVENT_TYPES = new Set<string>(OUR_KEY_EVENT_TYPES);

/** Our keys (one document per key) from this service's `key.*` events; what the key routes, the scheduler and expiry notices read. */
export class KeyViewsProjection extends FollowedProjection {
  readonly name = 'certificate-lifecycle.keys';
  readonly keys: ReadModelCollection<KeyViewDocument>;
  readonly deletedKeys: ReadModelCollection<DeletedKeyDocument>;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.keys = readModels.collection(KEY_VIEWS_COLLECTION, KEY_VIEW_INDEXES);
    this.deletedKeys = readModels.collection(DELETED_KEYS_COLLECTION, [['account', 'tenant']]);
  }

  protected accepts(event: RecordedEvent): boolean {
    return KEY_EVENT_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await this.keys.clear();
    await this.deletedKeys.clear();
  }

  private async update(keyId: string, change: (doc: KeyViewDocument) => KeyViewDocument): Promise<void> {
    const doc = await this.keys.get(keyId);
    if (doc) await this.keys.put(change(doc));
  }

  protected async apply(recorded: RecordedEvent): Promise<void> {
    const event = recorded as RecordedEvent & OurKeyEvent;
    switch (event.type) {
      case 'key.created.v1': {
        const d = event.data;
        await this.keys.put({
          _id: d.keyId,
          account: d.account,
          tenant: d.tenant,
          alias: d.alias,
          role: d.role,
          source: d.source,
          certificate: d.certificate,
          expiresAt: d.certificate.notAfter,
          activateAt: null,
          overlapUntil: null,
          activatedAt: null,
          expiryNotice: null,
          createdAt: d.createdAt,
        });
        return;
      }
      case 'key.rollover_scheduled.v1':
        return this.update(event.data.nextKeyId, (doc) => ({ ...doc, activateAt: event.data.activateAt, overlapUntil: event.data.overlapUntil }));
      case 'key.rollover_activated.v1': {
        const d = event.data;
        await this.update(d.keyId, (doc) => ({ ...doc, role: 'current', activateAt: null, overlapUntil: null, activatedAt: d.activatedAt }));
        await this.update(d.previousKeyId, (doc) => ({ ...doc, role: 'previous', overlapUntil: d.overlapUntil }));
        if (d.retiredKeyId) await this.update(d.retiredKeyId, (doc) => ({ ...doc, role: 'retired', overlapUntil: null }));
        return;
      }
      case 'key.retired.v1':
        return this.update(event.data.keyId, (doc) => ({ ...doc, role: 'retired', overlapUntil: null }));
      case 'key.deleted.v1': {
        const d = event.data;
        // Kept before the view goes, so a retried DELETE always finds one of them; a deleted tenant sends no retry.
        if (d.reason === 'requested') await this.deletedKeys.put({ _id: d.keyId, account: d.account, tenant: d.tenant, alias: d.alias, deletedAt: d.deletedAt });
        else if (d.tenant !== null) await this.deletedKeys.deleteMany({ account: d.account, tenant: d.tenant });
        await this.keys.delete(d.keyId);
        return;
      }
      case 'key.expiring.v1':
        return this.update(event.data.keyId, (doc) => ({ ...doc, expiryNotice: event.data.thresholdDays }));
      case 'key.expired.v1':
        return this.update(event.data.keyId, (doc) => ({ ...doc, expiryNotice: 0 }));
      default:
        return;
    }
  }
}
