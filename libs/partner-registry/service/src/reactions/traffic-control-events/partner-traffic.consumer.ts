import { ACCOUNT_LEVEL_TENANT, BusFollowedProjection, topicOf, type BusFollowedProjectionDependencies, type ReadModelCollection, type RecordedEvent, holdsNoDocument } from '@as2-partners/kernel';
import { toApiTimestamp } from '@as2-partners/platform';

/** What this context reads of traffic-control's pause and window events (it never imports that context). */
interface TrafficFacts {
  readonly partnerId: string;
  readonly account: string;
  readonly tenant: string | null;
  readonly direction: 'incoming' | 'outgoing' | 'both';
  readonly response?: string | null;
  readonly reason?: string;
  readonly until?: string | null;
  readonly windowId?: string | null;
  /** A scheduled window's. */
  readonly startsAt?: string;
  readonly endsAt?: string;
  readonly mergedWindowIds?: readonly string[];
}

/** A maintenance window scheduled and not begun yet: the pause it will put on the partner. */
interface ScheduledWindow {
  readonly direction: 'incoming' | 'outgoing' | 'both';
  readonly startsAt: string;
  readonly endsAt: string;
  readonly response: string | null;
  readonly reason: string;
}

interface DirectionPause {
  readonly response: string | null;
  readonly reason: string;
  readonly until: string | null;
  readonly windowId: string | null;
}

/** Operator pauses and window pauses apart: a window's end never ends an operator's pause; `windows`: those scheduled, by id. */
interface PartnerTrafficDocument {
  readonly _id: string;
  readonly windows?: WindowsToCome;
  readonly [slot: string]: DirectionPause | null | string | WindowsToCome | undefined;
}

/** A pause one level put on a partner, or a window's to come (`starts_at`), as the API names it. */
export interface LevelPause {
  readonly direction: 'incoming' | 'outgoing';
  readonly response: string | null;
  readonly reason: string;
  readonly until: string | null;
  readonly window_id: string | null;
  /** null: in effect now; else when a scheduled window begins it. */
  readonly starts_at: string | null;
}

/** A stored pause as the API names it. */
const presented = (pause: DirectionPause): Omit<LevelPause, 'direction' | 'starts_at'> => ({
  response: pause.response,
  reason: pause.reason,
  until: pause.until ? toApiTimestamp(pause.until) : null,
  window_id: pause.windowId,
});

const slotOf = (direction: string, windowId: string | null | undefined) => (windowId ? `${direction}Window` : direction);

const TRAFFIC_FACT_TYPES = new Set(['traffic.paused.v1', 'traffic.resumed.v1', 'traffic.window_scheduled.v1', 'traffic.window_cancelled.v1']);

type WindowsToCome = Readonly<Record<string, ScheduledWindow>>;

/** The windows to come without these (cancelled, begun, merged into another). */
function without(windows: WindowsToCome, ids: readonly string[]): Record<string, ScheduledWindow> {
  const next = { ...windows };
  for (const id of ids) delete next[id];
  return next;
}

/** The windows to come after a window was scheduled (those it merged gone) or cancelled. */
function windowsAfter(windows: WindowsToCome, type: string, d: TrafficFacts): Record<string, ScheduledWindow> {
  const next = without(windows, [...(d.windowId ? [d.windowId] : []), ...(d.mergedWindowIds ?? [])]);
  if (type === 'traffic.window_scheduled.v1' && d.windowId && d.startsAt && d.endsAt) {
    next[d.windowId] = { direction: d.direction, startsAt: d.startsAt, endsAt: d.endsAt, response: d.response ?? null, reason: d.reason ?? '' };
  }
  return next;
}

export const PARTNER_TRAFFIC_COLLECTION = 'partner_registry_partner_traffic';

const idOf = (account: string, tenant: string | null, partnerId: string) => `${account}.${tenant ?? ACCOUNT_LEVEL_TENANT}.${partnerId}`;
/** The partner a traffic document is about: its id's last part (partner ids hold no dot). */
export const partnerIdOfTrafficDoc = (id: string): string => id.slice(id.lastIndexOf('.') + 1);

/** The traffic of a partner without any pause document (trafficOf's answer when neither level paused it). */
export const UNPAUSED_TRAFFIC = Object.freeze({ incoming: Object.freeze({ paused: false as const }), outgoing: Object.freeze({ paused: false as const }) });

/**
 * Whether a partner's traffic is paused, learned from the traffic-control service's events, for the partner details
 * (`traffic: {incoming, outgoing}`): a tenant's pause and the account's pause of a master partner, either pauses.
 */
export class PartnerTrafficConsumer extends BusFollowedProjection {
  readonly name = 'partner-registry.partner-traffic';
  protected readonly topics = [topicOf('traffic-control')];
  private readonly traffic: ReadModelCollection<PartnerTrafficDocument>;

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    this.traffic = followed.readModels.collection(PARTNER_TRAFFIC_COLLECTION);
  }

  /** The partner's traffic as the tenant sees it: paused if the tenant's or the account's pause says so (tenant null: the account's alone). */
  async trafficOf(account: string, tenant: string | null, partnerId: string) {
    const [own, accountWide] = await Promise.all([tenant === null ? null : this.traffic.get(idOf(account, tenant, partnerId)), this.traffic.get(idOf(account, null, partnerId))]);
    const slot = (doc: PartnerTrafficDocument | null, name: string) => (doc?.[name] as DirectionPause | null | undefined) ?? null;
    const direction = (d: 'incoming' | 'outgoing') => {
      const levels = [
        ['account', slot(accountWide, d)],
        ['tenant', slot(own, d)],
        ['account', slot(accountWide, `${d}Window`)],
        ['tenant', slot(own, `${d}Window`)],
      ] as const;
      const found = levels.find(([, pause]) => pause !== null);
      if (!found) return { paused: false };
      const [level, pause] = found as readonly [string, DirectionPause];
      return { paused: true, level, ...presented(pause) };
    };
    return { incoming: direction('incoming'), outgoing: direction('outgoing') };
  }

  /**
   * The pauses one level put on the partner itself (the account's, tenant null, or one tenant's), whatever the other
   * level says: per direction its operator's pause and its window's in effect, then the windows to come.
   */
  async pausesAt(account: string, tenant: string | null, partnerId: string): Promise<LevelPause[]> {
    const doc = await this.traffic.get(idOf(account, tenant, partnerId));
    if (doc === null) return [];
    // Per direction its operator's pause, then its window's: a window that outlasts the pause holds the traffic after it.
    const inEffect = (['incoming', 'outgoing'] as const).flatMap((direction) =>
      [doc[direction], doc[`${direction}Window`]].flatMap((pause) => (pause ? [{ direction, ...presented(pause as DirectionPause), starts_at: null }] : [])),
    );
    // Then the windows to come, soonest first, one entry per direction they pause.
    const toCome = Object.entries(doc.windows ?? {})
      .sort(([, a], [, b]) => Date.parse(a.startsAt) - Date.parse(b.startsAt))
      .flatMap(([windowId, window]) =>
        (window.direction === 'both' ? (['incoming', 'outgoing'] as const) : [window.direction]).map((direction) => ({
          direction,
          response: window.response,
          reason: window.reason,
          until: toApiTimestamp(window.endsAt),
          window_id: windowId,
          starts_at: toApiTimestamp(window.startsAt),
        })),
      );
    return [...inEffect, ...toCome];
  }

  protected accepts(event: RecordedEvent): boolean {
    return TRAFFIC_FACT_TYPES.has(event.type);
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const d = event.data as TrafficFacts;
    const id = idOf(d.account, d.tenant, d.partnerId);
    const existing: PartnerTrafficDocument = (await this.traffic.get(id)) ?? { _id: id };
    if (event.type === 'traffic.window_scheduled.v1' || event.type === 'traffic.window_cancelled.v1') return this.traffic.put({ ...existing, windows: windowsAfter(existing.windows ?? {}, event.type, d) });
    // A window that begins (or ends) is no longer to come: its pause is in the slot below.
    const windows = d.windowId && existing.windows?.[d.windowId] ? { windows: without(existing.windows, [d.windowId]) } : {};
    const slotName = slotOf(d.direction, d.windowId);
    const current = existing[slotName] as DirectionPause | null | undefined;
    // A window's resume ends only that window's pause (another window may have taken over).
    if (event.type === 'traffic.resumed.v1' && current && d.windowId && current.windowId !== d.windowId) return;
    const next = event.type === 'traffic.paused.v1' ? { response: d.response ?? null, reason: d.reason ?? '', until: d.until ?? null, windowId: d.windowId ?? null } : null;
    await this.traffic.put({ ...existing, ...windows, [slotName]: next });
  }

  protected async clear(): Promise<void> {
    await this.traffic.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.traffic);
  }
}
