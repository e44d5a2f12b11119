import type { OnModuleInit } from '@nestjs/common';
import {
  type FollowedProjectionDependencies,
  FollowedProjection,
  type ReadModelCollection,
  type ReadModelStore,
  type RecordedEvent,
  pagesOf,
} from '@as2-partners/kernel';
import {
  nextChangeAt,
  PARTNER_TRAFFIC_EVENT_TYPES,
  partnerTrafficDecider,
  emptyPartnerTraffic,
  type PartnerTrafficEvent,
  type PartnerTrafficState,
  type TrafficRef,
} from '@as2-partners/traffic-control-domain';
import { LiveTrafficDirectory } from '../../directory/live-traffic-directory';
import { LOAD_PAGE } from '../../reactions/partner-registry-events/registry-facts.consumer';
import { PartnerTrafficCollections, TRAFFIC_TIMELINE_INDEX, type PartnerTrafficDocument, type TrafficTimelineDocument } from './partner-traffic.document';

const TYPES = new Set<string>(PARTNER_TRAFFIC_EVENT_TYPES);

/**
 * This service's own pause and window events, folded per partner traffic stream into documents (GET routes, the
 * paused list, the scheduler's due query, the timeline) and into the in-memory directory the decisions read.
 */
export class PartnerTrafficProjection extends FollowedProjection implements OnModuleInit {
  readonly name = 'traffic-control.partner-traffic';
  readonly traffic: ReadModelCollection<PartnerTrafficDocument>;
  readonly timeline: ReadModelCollection<TrafficTimelineDocument>;
  private live: LiveTrafficDirectory | null = null;
  private nextChangeListener: ((at: string | null) => void) | null = null;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.traffic = readModels.collection(PartnerTrafficCollections.traffic, [['account', 'tenant', 'paused'], ['nextChangeAt'], ['partnerId']]);
    this.timeline = readModels.collection(PartnerTrafficCollections.timeline, [TRAFFIC_TIMELINE_INDEX]);
  }

  /** Set by the module before start: where decided pauses become visible to the decision API. */
  feeds(live: LiveTrafficDirectory): void {
    this.live = live;
  }

  /** Set by the module: told each stream's next change as it is written (the scheduler queries only when one is due). */
  tellsNextChangesTo(listener: (at: string | null) => void): void {
    this.nextChangeListener = listener;
  }

  async onModuleInit(): Promise<void> {
    if (!this.live) return;
    for await (const page of pagesOf(this.traffic, LOAD_PAGE)) for (const doc of page) this.live.directory.putTraffic(doc.account, doc.tenant, doc.partnerId, doc);
    // The documents reach at least the saved checkpoint: `as_of` says so from the first answer after a restart.
    const checkpoint = await this.followed.checkpoints.load(this.name);
    if (checkpoint !== null) this.live.applied('traffic-control', checkpoint);
  }

  protected accepts(event: RecordedEvent): boolean {
    return TYPES.has(event.type);
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.traffic.clear(), this.timeline.clear()]);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const stored = await this.traffic.get(event.stream);
    if (stored && stored.revision >= event.revision) return this.nextChangeListener?.(stored.nextChangeAt);
    const before: PartnerTrafficState = stored ? { ...stored, ref: refOf(stored) } : emptyPartnerTraffic();
    const state = partnerTrafficDecider.evolve(before, event as unknown as PartnerTrafficEvent);
    const ref = state.ref ?? refOf(event.data as TrafficRef);
    const doc: PartnerTrafficDocument = {
      _id: event.stream,
      partnerId: ref.partnerId,
      account: ref.account,
      tenant: ref.tenant,
      scope: ref.scope,
      pauses: state.pauses,
      windows: state.windows,
      activeWindows: state.activeWindows,
      paused: Boolean(state.pauses.incoming || state.pauses.outgoing || state.activeWindows.incoming || state.activeWindows.outgoing),
      nextChangeAt: nextChangeAt(state),
      revision: event.revision,
      updatedAt: event.metadata.occurredAt,
    };
    this.live?.directory.putTraffic(doc.account, doc.tenant, doc.partnerId, state);
    this.live?.applied('traffic-control', event.position);
    await this.traffic.put(doc);
    this.nextChangeListener?.(doc.nextChangeAt);
    await this.timeline.put({
      _id: event.id,
      partnerId: ref.partnerId,
      account: ref.account,
      tenant: ref.tenant,
      type: event.type,
      data: event.data as Record<string, unknown>,
      actor: { type: event.metadata.actor.type, id: event.metadata.actor.id },
      occurredAt: event.metadata.occurredAt,
      position: event.position,
    });
  }
}

function refOf(doc: Pick<TrafficRef, 'partnerId' | 'account' | 'tenant' | 'scope'>): TrafficRef {
  return { partnerId: doc.partnerId, account: doc.account, tenant: doc.tenant, scope: doc.scope };
}
