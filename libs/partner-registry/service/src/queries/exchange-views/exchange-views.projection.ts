import {
  FollowedProjection,
  type FollowedProjectionDependencies,
  type ReadModelCollection,
  type ReadModelStore,
  type RecordedEvent,
} from '@as2-partners/kernel';
import type { As2InstanceEvent, PartnershipEvent, StationEvent } from '@as2-partners/partner-registry-domain';
import {
  AS2_INSTANCE_INDEXES,
  type As2InstanceDocument,
  ExchangeCollections,
  PARTNERSHIP_INDEXES,
  type PartnershipDocument,
  STATION_INDEXES,
  type StationDocument,
} from './exchange-view.documents';

type ExchangeEvent = As2InstanceEvent | PartnershipEvent | StationEvent;

const CATEGORIES = ['as2_instance.', 'partnership.', 'station.'];

/** Our side of every exchange: AS2 instances, partnerships and stations, one document each; puts and deletes are idempotent. */
export class ExchangeViewsProjection extends FollowedProjection {
  readonly name = 'partner-registry.exchange-views';
  private readonly instances: ReadModelCollection<As2InstanceDocument>;
  private readonly partnerships: ReadModelCollection<PartnershipDocument>;
  private readonly stations: ReadModelCollection<StationDocument>;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.instances = readModels.collection(ExchangeCollections.as2Instances, AS2_INSTANCE_INDEXES);
    this.partnerships = readModels.collection(ExchangeCollections.partnerships, PARTNERSHIP_INDEXES);
    this.stations = readModels.collection(ExchangeCollections.stations, STATION_INDEXES);
  }

  protected accepts(event: RecordedEvent): boolean {
    return CATEGORIES.some((prefix) => event.type.startsWith(prefix));
  }

  protected apply(event: RecordedEvent): Promise<void> {
    return this.applyEvent(event as RecordedEvent & ExchangeEvent);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.instances.clear(), this.partnerships.clear(), this.stations.clear()]);
  }

  private async applyEvent(event: RecordedEvent & ExchangeEvent): Promise<void> {
    switch (event.type) {
      case 'as2_instance.created.v1': {
        const { createdAt, ...d } = event.data;
        await this.instances.put({ _id: d.instanceId, ...d, createdAt, updatedAt: createdAt });
        return;
      }
      case 'as2_instance.updated.v1': {
        const current = await this.instances.get(event.data.instanceId);
        if (current) await this.instances.put({ ...current, ...event.data.changes, updatedAt: event.data.updatedAt });
        return;
      }
      case 'as2_instance.status_changed.v1': {
        const current = await this.instances.get(event.data.instanceId);
        if (current) await this.instances.put({ ...current, status: event.data.status, updatedAt: event.data.changedAt });
        return;
      }
      case 'as2_instance.deleted.v1':
        await this.instances.delete(event.data.instanceId);
        return;
      case 'partnership.created.v1': {
        const { createdAt, ...d } = event.data;
        await this.partnerships.put({ _id: d.partnershipId, ...d, createdAt, updatedAt: createdAt });
        return;
      }
      case 'partnership.updated.v1': {
        const current = await this.partnerships.get(event.data.partnershipId);
        if (current) await this.partnerships.put({ ...current, overrides: event.data.overrides, updatedAt: event.data.updatedAt });
        return;
      }
      case 'partnership.deleted.v1':
        await this.partnerships.delete(event.data.partnershipId);
        return;
      case 'station.created.v1': {
        const { createdAt, ...d } = event.data;
        await this.stations.put({ _id: d.stationId, ...d, createdAt, updatedAt: createdAt });
        return;
      }
      case 'station.updated.v1': {
        const current = await this.stations.get(event.data.stationId);
        if (current) await this.stations.put({ ...current, ...event.data.changes, updatedAt: event.data.updatedAt });
        return;
      }
      case 'station.deleted.v1':
        await this.stations.delete(event.data.stationId);
        return;
      // Memberships are the write side's guard; the partner views list a station's partners.
      case 'station.partner_assigned.v1':
      case 'station.partner_unassigned.v1':
        return;
      default: {
        const unhandled: never = event;
        throw new Error(`Unhandled event ${(unhandled as RecordedEvent).type}`);
      }
    }
  }
}
