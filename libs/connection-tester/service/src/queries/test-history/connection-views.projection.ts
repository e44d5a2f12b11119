import type { ConnectionTested, MonitoringConfigured } from '@as2-partners/connection-tester-domain';
import { FollowedProjection, type FollowedProjectionDependencies, type FindQuery, type ReadModelCollection, type ReadModelStore, type RecordedEvent } from '@as2-partners/kernel';
import { TesterCollections } from '../../reactions/partner-registry-events/tested-partner.documents';

export interface TestHistoryDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly partnerId: string;
  readonly testedAt: string;
  readonly result: ConnectionTested['data'];
}

/** A monitored partner of a tenant, with the moment its schedule is offset from (spreading runs over the interval). */
export interface MonitoringDocument {
  readonly _id: string;
  readonly account: string;
  readonly tenant: string;
  readonly partnerId: string;
  readonly enabled: boolean;
  readonly testType: MonitoringConfigured['data']['testType'];
  readonly intervalMinutes: number;
  readonly configuredAt: string;
  /**
   * When monitoring was turned on, kept through later changes of its test type or interval: what orders a tenant's
   * monitors when its plan allows fewer (absent on views an earlier version wrote: `configuredAt`).
   */
  readonly enabledSince?: string | null;
}

export const monitoringIdOf = (account: string, tenant: string, partnerId: string) => `${account}.${tenant}.${partnerId}`;

/** The tester's own views: every recorded test (newest first per partner) and the monitoring settings. */
export class ConnectionViewsProjection extends FollowedProjection {
  readonly name = 'connection-tester.views';
  readonly tests: ReadModelCollection<TestHistoryDocument>;
  readonly monitoring: ReadModelCollection<MonitoringDocument>;

  constructor(followed: FollowedProjectionDependencies, readModels: ReadModelStore) {
    super(followed);
    this.tests = readModels.collection(TesterCollections.tests, [['account', 'tenant', 'partnerId', 'testedAt']]);
    this.monitoring = readModels.collection(TesterCollections.monitoring, [['enabled']]);
  }

  protected accepts(event: RecordedEvent): boolean {
    return event.type === 'connection.tested.v1' || event.type === 'connection.monitoring_configured.v1';
  }

  protected async apply(event: RecordedEvent): Promise<void> {
    if (event.type === 'connection.tested.v1') {
      const result = event.data as ConnectionTested['data'];
      await this.tests.put({ _id: result.testId, account: result.account, tenant: result.tenant, partnerId: result.partnerId, testedAt: result.testedAt, result });
      return;
    }
    const d = event.data as MonitoringConfigured['data'];
    const _id = monitoringIdOf(d.account, d.tenant, d.partnerId);
    const before = d.enabled ? await this.monitoring.get(_id) : null;
    const enabledSince = !d.enabled ? null : before?.enabled ? (before.enabledSince ?? before.configuredAt) : d.configuredAt;
    await this.monitoring.put({ _id, ...d, enabledSince });
  }

  protected async clear(): Promise<void> {
    await Promise.all([this.tests.clear(), this.monitoring.clear()]);
  }
}

/** One tenant's tests of one partner, newest first. */
export function testHistoryQuery(scope: { account: string; tenant: string }, partnerId: string, page: number, perPage: number): FindQuery {
  return { filter: { account: scope.account, tenant: scope.tenant, partnerId }, sort: { testedAt: -1, _id: -1 }, skip: (page - 1) * perPage, limit: perPage };
}
