import { BusFollowedProjection, topicOf, type BusFollowedProjectionDependencies, type ReadModelCollection, type RecordedEvent, holdsNoDocument } from '@as2-partners/kernel';
import { toApiTimestamp } from '@as2-partners/platform';

/** What the connection tester published about a partner, as one tenant tested it (master partners are shared). */
interface ConnectionTestedFacts {
  readonly partnerId: string;
  readonly tenant: string;
  readonly outcome: 'success' | 'failure';
  readonly results?: { readonly response_time_ms?: unknown };
  readonly durationMs: number;
  readonly testedAt: string;
}

export interface ConnectionStatusDocument {
  readonly _id: string;
  readonly lastTest: string;
  readonly lastTestResult: 'success' | 'failure';
  readonly responseTimeMs: number;
}

export const CONNECTION_STATUS_COLLECTION = 'partner_registry_connection_status';

const statusIdOf = (partnerId: string, tenant: string) => `${partnerId}.${tenant}`;
/** The partner a status document is about: its id's first part (partner ids hold no dot). */
export const partnerIdOfStatusDoc = (id: string): string => id.slice(0, id.indexOf('.'));

/** Seed 002's partner `connection_status`, from the connection tester's `connection.tested.v1` (the latest test wins). */
export class ConnectionStatusConsumer extends BusFollowedProjection {
  readonly name = 'partner-registry.connection-status';
  protected readonly topics = [topicOf('connection-tester')];
  private readonly statuses: ReadModelCollection<ConnectionStatusDocument>;

  constructor(followed: BusFollowedProjectionDependencies) {
    super(followed);
    this.statuses = followed.readModels.collection(CONNECTION_STATUS_COLLECTION);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'connection.tested.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    const d = event.data as ConnectionTestedFacts;
    const id = statusIdOf(d.partnerId, d.tenant);
    const existing = await this.statuses.get(id);
    if (existing && Date.parse(existing.lastTest) > Date.parse(d.testedAt)) return;
    const responseTime = typeof d.results?.response_time_ms === 'number' ? d.results.response_time_ms : d.durationMs;
    await this.statuses.put({ _id: id, lastTest: d.testedAt, lastTestResult: d.outcome, responseTimeMs: responseTime });
  }

  protected async clear(): Promise<void> {
    await this.statuses.clear();
  }

  protected async isEmpty(): Promise<boolean> {
    return holdsNoDocument(this.statuses);
  }

  /** `{last_test, last_test_result, response_time_ms}` as the tenant sees it, or null before any test. */
  async presentedFor(partnerId: string, tenant: string) {
    const status = await this.statuses.get(statusIdOf(partnerId, tenant));
    return status ? { last_test: toApiTimestamp(status.lastTest), last_test_result: status.lastTestResult, response_time_ms: status.responseTimeMs } : null;
  }
}
