import {
  BusFollowedProjection,
  topicOf,
  type BusFollowedProjectionDependencies,
  type FindQuery,
  tenantLevelsFilter,
  type ReadModelCollection,
  type RecordedEvent,
  holdsNoDocument,
} from '@as2-partners/kernel';
import type { InstanceUsingAlias } from '@as2-partners/certificate-lifecycle-domain';
import { instanceOwnerOf, PARTNER_REGISTRY_TOPIC_SERVICE, PartnerRegistryEventTypes } from '@as2-partners/partner-registry-contract';
import { TenantKeysShredder } from '../tenant-deletion/tenant-keys.shredder';
import { INSTANCES_NAMING_ALIAS_INDEX, KNOWN_INSTANCES_COLLECTION, type KnownInstanceDocument } from './known-instance.document';

export const KNOWN_INSTANCES_GROUP = 'certificate-lifecycle.known-instances';

/** The partner-registry's `as2_instance.*` payloads (the cross-service contract), as far as this service reads them. */
interface InstanceFacts {
  readonly instanceId: string;
  readonly account?: string;
  readonly tenant?: string | null;
  readonly myAs2Id?: string;
  readonly myAs2Alias?: string;
  readonly status?: string;
  readonly changes?: { readonly myAs2Id?: string; readonly myAs2Alias?: string; readonly status?: string };
}

const INSTANCE_TYPES = new Set<string>([...PartnerRegistryEventTypes.as2Instance, 'tenant.deleted.v1']);

/** The first `limit` live instances, by id, of these levels of the account (a tenant, null: account-level) whose alias is `alias`. */
export function instancesNamingAliasQuery(account: string, levels: readonly (string | null)[], alias: string, limit: number): FindQuery {
  return { filter: { account, myAs2Alias: alias, deleted: false, ...tenantLevelsFilter(levels) }, sort: { _id: 1 }, limit };
}

/** Some of an alias's users, and how many there are. */
export interface InstancesNamingAlias {
  readonly named: (InstanceUsingAlias & { readonly tenant: string | null })[];
  readonly total: number;
}

/**
 * Learns which AS2 instances use which alias of our keystore, so a key an instance signs with is not deleted, and
 * shreds a deleted tenant's keys. Every write is computed from the event (idempotent); a deletion is kept as a
 * tombstone so a late create cannot revive it.
 */
export class KnownInstancesConsumer extends BusFollowedProjection {
  readonly name = KNOWN_INSTANCES_GROUP;
  protected readonly topics = [topicOf(PARTNER_REGISTRY_TOPIC_SERVICE)];
  readonly instances: ReadModelCollection<KnownInstanceDocument>;

  constructor(
    followed: BusFollowedProjectionDependencies,
    private readonly shredder: TenantKeysShredder,
  ) {
    super(followed);
    this.instances = followed.readModels.collection(KNOWN_INSTANCES_COLLECTION, [INSTANCES_NAMING_ALIAS_INDEX]);
  }

  /**
   * The first `limit` live instances, by id, of these levels (a tenant, null: account-level) whose alias is `alias`,
   * and their count: one index range a level, never another tenant's instance read.
   */
  async namingAliasIn(account: string, levels: readonly (string | null)[], alias: string, limit: number): Promise<InstancesNamingAlias> {
    const page = await this.instances.find(instancesNamingAliasQuery(account, levels, alias, limit));
    return { named: page.items.map((doc) => ({ instanceId: doc._id, myAs2Id: doc.myAs2Id, tenant: doc.tenant })), total: page.total };
  }

  /** Every live instance of the account, of any tenant, whose alias is `alias`, with its tenant (null: account-level). */
  async namingAlias(account: string, alias: string): Promise<(InstanceUsingAlias & { readonly tenant: string | null })[]> {
    const page = await this.instances.find({ filter: { account, myAs2Alias: alias, deleted: false }, sort: { _id: 1 } });
    return page.items.map((doc) => ({ instanceId: doc._id, myAs2Id: doc.myAs2Id, tenant: doc.tenant }));
  }

  protected accepts(event: RecordedEvent): boolean {
    return INSTANCE_TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await this.instances.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.instances);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (event.type === 'tenant.deleted.v1') {
      const { account, tenantId } = event.data as { account: string; tenantId: string };
      // A rebuild replays into the read model only: the keys were shredded when the event first arrived.
      if (!this.replaying) await this.shredder.shred(account, tenantId, event);
      return;
    }
    const d = event.data as InstanceFacts;
    const existing = await this.instances.get(d.instanceId);
    switch (event.type) {
      case 'as2_instance.created.v1': {
        if (existing?.deleted) return;
        await this.instances.put({
          _id: d.instanceId,
          ...instanceOwnerOf(event),
          myAs2Id: d.myAs2Id ?? '',
          myAs2Alias: d.myAs2Alias ?? '',
          status: d.status ?? 'on',
          deleted: false,
        });
        return;
      }
      case 'as2_instance.updated.v1':
      case 'as2_instance.status_changed.v1': {
        if (!existing || existing.deleted) return;
        const changes = event.type === 'as2_instance.updated.v1' ? (d.changes ?? {}) : { status: d.status, myAs2Id: d.myAs2Id };
        await this.instances.put({
          ...existing,
          ...(changes.myAs2Id !== undefined ? { myAs2Id: changes.myAs2Id } : {}),
          ...(changes.myAs2Alias !== undefined ? { myAs2Alias: changes.myAs2Alias } : {}),
          ...(changes.status !== undefined ? { status: changes.status } : {}),
        });
        return;
      }
      case 'as2_instance.deleted.v1':
        await this.instances.put({
          _id: d.instanceId,
          ...(existing ? { account: existing.account, tenant: existing.tenant } : instanceOwnerOf(event)),
          myAs2Id: existing?.myAs2Id ?? d.myAs2Id ?? '',
          myAs2Alias: existing?.myAs2Alias ?? '',
          status: existing?.status ?? 'off',
          deleted: true,
        });
        return;
      default:
        return;
    }
  }
}
