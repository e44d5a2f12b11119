import { Inject, Injectable } from '@nestjs/common';
import { READ_MODEL_STORE, type Filter, type Page, type ReadModelCollection, type ReadModelStore } from '@as2-partners/kernel';
import { OUR_KEY_INDEXES, OUR_KEYS_COLLECTION, type OurKeyDocument } from './our-key.document';
import {
  AS2_INSTANCE_INDEXES,
  type As2InstanceDocument,
  ExchangeCollections,
  PARTNERSHIP_INDEXES,
  type PartnershipDocument,
  STATION_INDEXES,
  type StationDocument,
} from './exchange-view.documents';

export interface PageRequest {
  readonly page: number;
  readonly perPage: number;
}

const BY_CREATION = { createdAt: 1, _id: 1 } as const;

/** Reads of instances, partnerships and stations; every read is scoped by the caller's account and tenant. */
@Injectable()
export class ExchangeQueries {
  private readonly instances: ReadModelCollection<As2InstanceDocument>;
  private readonly partnerships: ReadModelCollection<PartnershipDocument>;
  private readonly stations: ReadModelCollection<StationDocument>;
  private readonly keys: ReadModelCollection<OurKeyDocument>;

  constructor(@Inject(READ_MODEL_STORE) readModels: ReadModelStore) {
    this.keys = readModels.collection(OUR_KEYS_COLLECTION, OUR_KEY_INDEXES);
    this.instances = readModels.collection(ExchangeCollections.as2Instances, AS2_INSTANCE_INDEXES);
    this.partnerships = readModels.collection(ExchangeCollections.partnerships, PARTNERSHIP_INDEXES);
    this.stations = readModels.collection(ExchangeCollections.stations, STATION_INDEXES);
  }

  /** A tenant's own instances and the account's master ones (`tenant` null: only the masters). */
  listInstances(account: string, tenant: string | null, type: 'tenant' | 'inherited' | 'all', { page, perPage }: PageRequest): Promise<Page<As2InstanceDocument>> {
    const scope: Filter =
      tenant === null || type === 'inherited' ? { tenant: null } : type === 'tenant' ? { tenant } : { $or: [{ tenant }, { tenant: null }] };
    return this.instances.find({ filter: { account, ...scope }, sort: { tenant: -1, ...BY_CREATION }, skip: (page - 1) * perPage, limit: perPage });
  }

  /** The tenant's own instance or one of the account's masters; null when the caller may not see it. */
  async findInstanceForTenant(account: string, tenant: string, instanceId: string): Promise<As2InstanceDocument | null> {
    const doc = await this.instances.get(instanceId);
    return doc && doc.account === account && (doc.tenant === tenant || doc.tenant === null) ? doc : null;
  }

  async findMasterInstance(account: string, instanceId: string): Promise<As2InstanceDocument | null> {
    const doc = await this.instances.get(instanceId);
    return doc && doc.account === account && doc.tenant === null ? doc : null;
  }

  /** The instances a message may name by our AS2 id: the tenant's own first, then the account's. */
  async findInstancesByMyAs2Id(account: string, tenant: string, myAs2Id: string): Promise<As2InstanceDocument[]> {
    const { items } = await this.instances.find({ filter: { account, myAs2Id, $or: [{ tenant }, { tenant: null }] }, sort: { tenant: -1 }, limit: 2 });
    return items;
  }

  instancesByIds(ids: readonly string[]): Promise<Page<As2InstanceDocument>> {
    return this.instances.find({ filter: { _id: { $in: [...new Set(ids)] } } });
  }

  /** Partnerships naming an instance: one tenant's, or (tenant null, for a master instance) every tenant's of the account. */
  /** The first `limit` partnerships naming the instance, oldest first, and how many there are. */
  async partnershipsOfInstance(account: string, tenant: string | null, as2InstanceId: string, limit: number): Promise<Page<PartnershipDocument>> {
    return this.partnerships.find({ filter: { account, as2InstanceId, ...(tenant === null ? {} : { tenant }) }, sort: BY_CREATION, limit });
  }

  /** Stations whose default identity is the instance: one tenant's, or (tenant null, a master instance) every tenant's of the account. */
  async stationsNamingInstance(account: string, tenant: string | null, as2InstanceId: string): Promise<StationDocument[]> {
    const { items } = await this.stations.find({ filter: { account, as2InstanceId, ...(tenant === null ? {} : { tenant }) }, sort: BY_CREATION });
    return items;
  }

  async partnershipsOfPartner(account: string, tenant: string, partnerId: string): Promise<PartnershipDocument[]> {
    const { items } = await this.partnerships.find({ filter: { account, tenant, partnerId }, sort: BY_CREATION });
    return items;
  }

  async partnershipsOfPartnerInAccount(account: string, partnerId: string): Promise<PartnershipDocument[]> {
    const { items } = await this.partnerships.find({ filter: { account, partnerId }, sort: BY_CREATION });
    return items;
  }

  listPartnerships(
    account: string,
    tenant: string,
    filter: { readonly as2InstanceId?: string; readonly partnerId?: string },
    { page, perPage }: PageRequest,
  ): Promise<Page<PartnershipDocument>> {
    const extra: Filter = {
      ...(filter.as2InstanceId === undefined ? {} : { as2InstanceId: filter.as2InstanceId }),
      ...(filter.partnerId === undefined ? {} : { partnerId: filter.partnerId }),
    };
    return this.partnerships.find({ filter: { account, tenant, ...extra }, sort: BY_CREATION, skip: (page - 1) * perPage, limit: perPage });
  }

  async findPartnership(account: string, tenant: string, partnershipId: string): Promise<PartnershipDocument | null> {
    const doc = await this.partnerships.get(partnershipId);
    return doc && doc.account === account && doc.tenant === tenant ? doc : null;
  }

  async findPartnershipByPair(account: string, tenant: string, as2InstanceId: string, partnerId: string): Promise<PartnershipDocument | null> {
    const { items } = await this.partnerships.find({ filter: { account, tenant, as2InstanceId, partnerId }, limit: 1 });
    return items[0] ?? null;
  }

  /** The keys an alias holds in one tenant's keystore (`tenant` null: in every tenant of the account). */
  /**
   * The keys an instance's alias resolves to, as the keystore resolves it: a tenant instance's own keystore first, then
   * the account's; an account-level instance (tenant null) the account's.
   */
  async keysOfAlias(account: string, tenant: string | null, alias: string): Promise<OurKeyDocument[]> {
    const keysIn = async (owner: string | null) => (await this.keys.find({ filter: { account, tenant: owner, alias }, sort: { _id: 1 }, limit: 100 })).items;
    const own = await keysIn(tenant);
    const items = own.length > 0 || tenant === null ? own : await keysIn(null);
    const order = { current: 0, next: 1, previous: 2 } as const;
    return items.sort((a, b) => order[a.role] - order[b.role]);
  }

  listStations(account: string, tenant: string, { page, perPage }: PageRequest): Promise<Page<StationDocument>> {
    return this.stations.find({ filter: { account, tenant }, sort: BY_CREATION, skip: (page - 1) * perPage, limit: perPage });
  }

  async findStation(account: string, tenant: string, stationId: string): Promise<StationDocument | null> {
    const doc = await this.stations.get(stationId);
    return doc && doc.account === account && doc.tenant === tenant ? doc : null;
  }
}
