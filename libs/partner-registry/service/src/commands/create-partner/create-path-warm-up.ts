import { Inject, Injectable, Logger, type OnApplicationBootstrap, Optional } from '@nestjs/common';
import { partnerDeciderFor, partnerDirectoryDecider } from '@as2-partners/partner-registry-domain';
import { EVENT_SOURCING_OPTIONS, type EventSourcingOptions, JwtVerifier, PLATFORM_CONFIG, type PlatformConfig, RequestValidationPipe } from '@as2-partners/platform';
import { partnerChangesFromDto } from '../../partner-settings/partner-changes.mapper';
import { CreatePartnerDto } from '../../partner-settings/partner-settings.dto';
import { tenantPartnerViewOf } from '../../queries/partner-views/partner-view.document';
import { presentPartner } from '../../queries/partner-views/partner.presenter';

/** A body as a client sends it (no password: nothing is sealed), on ids no real partner has. */
export const WARM_UP_BODY = Object.freeze({ name: 'Warm-up partner', as2_id: 'WARM-UP-AS2-ID', url: 'https://warm-up.example.com/as2' });
const WARM_UP_PARTNER = 'prt_warm_up';

/**
 * Runs the pure parts of a create once before the process is ready, so the first `POST /v1/partners` after a restart
 * does not pay for their first run (regular expressions compiled, the DTO's compiled check built, jose's verification,
 * the deciders and the presenter run for the first time: lazy code V8 compiles then, ~15–40 ms of the first create).
 * Nothing here reads or writes a store, appends or publishes: the body is validated by a pipe of its own, the deciders
 * decide on a scratch state, and the token checked is one no key signed (refused). Not in the rebuild command or a
 * benchmark's seeding context, where nothing creates partners.
 */
@Injectable()
export class CreatePathWarmUp implements OnApplicationBootstrap {
  private readonly logger = new Logger('CreatePathWarmUp');

  constructor(
    @Inject(PLATFORM_CONFIG) private readonly config: PlatformConfig,
    @Optional() private readonly jwt?: JwtVerifier,
    @Optional() @Inject(EVENT_SOURCING_OPTIONS) private readonly options?: EventSourcingOptions,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (this.options?.startProjections === false) return;
    try {
      await this.warm();
    } catch (error) {
      // Only a head start: the first create then runs this code for the first time itself.
      this.logger.warn(`Could not warm the create path: ${String(error)}`);
    }
  }

  /** One run of the create's pure parts; resolves with what the scratch decision made (for tests). */
  async warm(): Promise<{ readonly valid: boolean; readonly events: readonly string[] }> {
    await this.jwt?.warmUp();
    const dto = (await new RequestValidationPipe().transform({ ...WARM_UP_BODY }, { type: 'body', metatype: CreatePartnerDto })) as CreatePartnerDto;
    const changes = await partnerChangesFromDto(dto, () => Promise.reject(new Error('nothing is sealed in a warm-up')), this.config.privateEndpointsAllow);
    const now = new Date().toISOString();
    const directory = partnerDirectoryDecider;
    const reserved = directory.decide({ type: 'reserve_as2_id', as2Id: dto.as2_id, partnerId: WARM_UP_PARTNER, planLimit: null, staleReservations: [], now }, directory.initialState());
    for (const event of reserved) directory.evolve(directory.initialState(), event);
    const decider = partnerDeciderFor('tenant');
    const command = { type: 'create_partner' as const, partnerId: WARM_UP_PARTNER, account: 'warm-up', tenant: 'warm-up', as2Id: dto.as2_id, settings: { ...changes, name: dto.name, url: dto.url }, certificateId: null, now };
    const events = decider.decide(command, decider.initialState());
    let state = decider.initialState();
    for (const event of events) {
      state = decider.evolve(state, event);
      if (event.type === 'partner.created.v1') presentPartner(tenantPartnerViewOf(event.data));
    }
    return { valid: dto instanceof CreatePartnerDto, events: [...reserved, ...events].map((event) => event.type) };
  }
}
