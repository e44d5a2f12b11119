import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { schemaVersionOf, WriteModel, type EventMetadata, type NewEvent } from '@as2-partners/kernel';
import { requestMetadata, type RequestContext } from '@as2-partners/platform';
import { partnerDeciderFor, partnerDirectoryDecider, PartnerRegistryStreams, tenantDecider, type PartnerDirectoryCommand, type PartnerCommand } from '@as2-partners/partner-registry-domain';
import { planLimitOf } from '../../../libs/partner-registry/service/src/commands/create-partner/tenant-plan';
import { partnerChangesFromDto } from '../../../libs/partner-registry/service/src/partner-settings/partner-changes.mapper';
import { newPartnerId } from '../../../libs/partner-registry/service/src/write-model/partner-id';
import { BulkAppendStore, DEFAULT_FLUSH_EVERY } from './bulk-append-store';
import { hubPartner, partnerDto, populationPartner, type SeedPartner, type SeedPopulation } from './seed-population';

export interface SeedOptions {
  /** Reservations decided together on one directory, as concurrent creates queued on it are (and the partners they hold). */
  readonly batch?: number;
  /** Events per transaction. */
  readonly flushEvery?: number;
  /** Events between two snapshots of a long directory (the write model's default unless given). */
  readonly snapshotEvery?: number;
  readonly progress?: (created: number, total: number) => void;
}

export interface Seeded {
  readonly seconds: number;
  readonly created: number;
  readonly events: number;
  readonly transactions: number;
}

const partnerDecider = partnerDeciderFor('tenant');
const noPasswords = (): Promise<string> => Promise.reject(new Error('seeded partners have no password'));

/**
 * Seeds an embedded data dir through the write model, as the create-tenant and create-partner routes decide (the same
 * commands, deciders, streams, event metadata and partner ids; the create handler's steps for a partner without a
 * station or password: plan limit from the tenant's stream, the AS2-id reservation on the tenant's directory stream,
 * decided in batches as queued concurrent creates are, then the partner's own stream), over a BulkAppendStore that
 * writes a few thousand events per transaction: minutes for a million partners instead of hours of HTTP creates.
 * Projections and outbox relays do not run: `rebuild-read-models` builds the read models afterwards, and the app's
 * first start relays the events to the bus consumers. Each call seeds on top of the last.
 * (write-model-seeder.int.spec.ts compares what it stores with what the API stores.)
 */
export class WriteModelSeeder {
  private hubSeeded = 0;
  private perTenantSeeded = 0;
  private tenantsCreated = false;

  constructor(
    private readonly dataDir: string,
    private readonly population: SeedPopulation,
  ) {}

  /** Seeds the hub tenant to `hubTarget` partners and every other tenant to ceil(populationTarget / tenants). */
  async seed(hubTarget: number, populationTarget: number, options: SeedOptions = {}): Promise<Seeded> {
    const { hub, tenants } = this.population;
    const batch = options.batch ?? 256;
    mkdirSync(this.dataDir, { recursive: true });
    const store = BulkAppendStore.open(join(this.dataDir, 'events.sqlite'), { flushEvery: options.flushEvery ?? DEFAULT_FLUSH_EVERY });
    const writeModel = new WriteModel(store, options.snapshotEvery === undefined ? {} : { snapshotEvery: options.snapshotEvery });
    const started = performance.now();
    let created = 0;
    try {
      if (!this.tenantsCreated) {
        await this.createTenant(writeModel, hub, 'Hub');
        for (let t = 0; t < tenants; t++) await this.createTenant(writeModel, `t${t}`, `Tenant ${t}`);
        this.tenantsCreated = true;
      }
      const perTenant = tenants > 0 ? Math.ceil(populationTarget / tenants) : 0;
      const total = Math.max(0, hubTarget - this.hubSeeded) + Math.max(0, perTenant - this.perTenantSeeded) * tenants;
      const report = (n: number) => {
        const before = created;
        created += n;
        if (Math.floor(created / 10_000) > Math.floor(before / 10_000)) options.progress?.(created, total);
      };
      for (let i = this.hubSeeded; i < hubTarget; i += batch) {
        const count = Math.min(batch, hubTarget - i);
        await this.createPartners(writeModel, hub, Array.from({ length: count }, (_, k) => hubPartner(i + k)));
        report(count);
      }
      this.hubSeeded = Math.max(this.hubSeeded, hubTarget);
      // The other tenants grow side by side (a round gives each the next few partners), as a deployment's tenants do.
      const perRound = Math.max(1, Math.min(batch, 50));
      for (let i = this.perTenantSeeded; i < perTenant; i += perRound) {
        const count = Math.min(perRound, perTenant - i);
        for (let t = 0; t < tenants; t++) {
          await this.createPartners(writeModel, `t${t}`, Array.from({ length: count }, (_, k) => populationPartner(t, i + k)));
          report(count);
        }
      }
      this.perTenantSeeded = Math.max(this.perTenantSeeded, perTenant);
      // The directories' last snapshots, so a restart after seeding starts from them as a running app's would.
      await writeModel.saveSnapshots();
    } finally {
      await store.close();
    }
    return { seconds: (performance.now() - started) / 1000, created, events: store.written, transactions: store.transactions };
  }

  /**
   * Picks up a data dir this seeder filled before (its directories tell how many partners each tenant holds), so the
   * next `seed` only tops it up; null when the dir holds no seeded tenant.
   */
  async resume(): Promise<{ readonly hub: number; readonly population: number } | null> {
    const file = join(this.dataDir, 'events.sqlite');
    if (!existsSync(file)) return null;
    const store = BulkAppendStore.open(file);
    try {
      const writeModel = new WriteModel(store);
      const { account, hub, tenants } = this.population;
      if ((await writeModel.load(PartnerRegistryStreams.tenant(account, hub), tenantDecider)).revision === 'no_stream') return null;
      const reservations = async (tenant: string) => (await writeModel.load(PartnerRegistryStreams.tenantDirectory(account, tenant), partnerDirectoryDecider)).state.reservations.size;
      this.tenantsCreated = true;
      this.hubSeeded = await reservations(hub);
      this.perTenantSeeded = tenants > 0 ? await reservations(`t${tenants - 1}`) : 0;
      return { hub: this.hubSeeded, population: this.populationSize };
    } finally {
      await store.close();
    }
  }

  /** Partners of the other tenants seeded so far. */
  get populationSize(): number {
    return this.perTenantSeeded * this.population.tenants;
  }

  /** A request's context as the routes build it: the seeder's caller, a correlation and request id per request. */
  private context(tenant: string | null): RequestContext {
    const { account } = this.population;
    return { caller: { sub: 'bench-seeder', account, tenant, roles: tenant ? ['tenant_admin'] : ['account_admin'] }, correlationId: randomUUID(), requestId: randomUUID() };
  }

  /** POST /v1/accounts/{account}/tenants with an id, on the enterprise plan (TenantsHandler.create). */
  private async createTenant(writeModel: WriteModel, tenantId: string, name: string): Promise<void> {
    const { account } = this.population;
    const now = new Date();
    const command = { type: 'create_tenant' as const, account, tenantId, name, plan: 'enterprise' as const, now: now.toISOString() };
    await writeModel.decide(PartnerRegistryStreams.tenant(account, tenantId), tenantDecider, () => command, requestMetadata(this.context(null), null, now));
  }

  /** POST /v1/partners for each (CreatePartnerHandler.create): reservations decided together on the directory, then each partner's stream. */
  private async createPartners(writeModel: WriteModel, tenant: string, partners: readonly SeedPartner[]): Promise<void> {
    const { account } = this.population;
    const planLimit = await planLimitOf(writeModel, account, tenant);
    const creates = await Promise.all(
      partners.map(async (partner) => {
        const dto = partnerDto(partner);
        const now = new Date();
        const metadata = requestMetadata(this.context(tenant), tenant, now);
        const partnerId = newPartnerId();
        const changes = await partnerChangesFromDto(dto, noPasswords, []);
        const command: PartnerCommand = { type: 'create_partner', partnerId, account, tenant, as2Id: dto.as2_id, settings: { ...changes, name: dto.name, url: dto.url }, certificateId: null, now: now.toISOString() };
        const events = partnerDecider.decide(command, partnerDecider.initialState());
        const reserve: PartnerDirectoryCommand = { type: 'reserve_as2_id', as2Id: dto.as2_id, partnerId, planLimit, staleReservations: [], now: now.toISOString() };
        return { partnerId, metadata, events, reserve };
      }),
    );
    const outcomes = await writeModel.decideBatch(
      PartnerRegistryStreams.tenantDirectory(account, tenant),
      partnerDirectoryDecider,
      creates.map((c) => ({ command: c.reserve, metadata: c.metadata })),
      { untilCommitted: true },
    );
    const refused = outcomes.find((o) => !o.ok);
    if (refused && !refused.ok) throw refused.error;
    for (const { partnerId, metadata, events } of creates) {
      await writeModel.store.append(PartnerRegistryStreams.partner(partnerId), events.map((event) => newEvent(event, metadata)), 'no_stream');
    }
  }
}

/** As the write model stores a decided event of a command without an id. */
function newEvent(event: { readonly type: string; readonly data: unknown }, metadata: EventMetadata): NewEvent {
  return { id: randomUUID(), type: event.type, schemaVersion: schemaVersionOf(event.type), data: event.data, metadata };
}
