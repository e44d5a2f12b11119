import { DomainError } from '@as2-partners/kernel';
import { ConnectionTesterErrorCode } from '@as2-partners/connection-tester-domain';

/** Manual tests and monitoring runs are counted apart: a tenant's monitors never make its manual tests wait or fail. */
export type GateLane = 'manual' | 'monitoring';

/**
 * At most N tests at once per tenant and M in this process, in each lane: the rest are refused at once (429 / 503),
 * never queued without bound (the monitoring scheduler queues its runs itself, within the same bounds). Taken before
 * the test is reserved, so a refused request costs no test of the hour.
 */
export class ConcurrencyGate {
  private readonly lanes: Record<GateLane, ConcurrencyLane>;

  constructor(perTenant: number, overall: number) {
    this.lanes = { manual: new ConcurrencyLane(perTenant, overall), monitoring: new ConcurrencyLane(perTenant, overall) };
  }

  enter(tenantKey: string, lane: GateLane = 'manual'): () => void {
    return this.lanes[lane].enter(tenantKey);
  }
}

class ConcurrencyLane {
  private readonly running = new Map<string, number>();
  private total = 0;

  constructor(
    private readonly perTenant: number,
    private readonly overall: number,
  ) {}

  enter(tenantKey: string): () => void {
    const mine = this.running.get(tenantKey) ?? 0;
    if (mine >= this.perTenant) {
      throw new DomainError(ConnectionTesterErrorCode.TenantTestsBusy, `At most ${this.perTenant} connection tests run at once for a tenant; retry when one has finished`, undefined, {
        running_tests: mine,
        limit: this.perTenant,
      });
    }
    if (this.total >= this.overall) {
      throw new DomainError(ConnectionTesterErrorCode.TesterBusy, 'The connection tester is running as many tests as it may; retry shortly');
    }
    this.running.set(tenantKey, mine + 1);
    this.total++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.total--;
      const now = (this.running.get(tenantKey) ?? 1) - 1;
      if (now === 0) this.running.delete(tenantKey);
      else this.running.set(tenantKey, now);
    };
  }
}
