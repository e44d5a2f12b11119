import { Global, Module } from '@nestjs/common';
import { PARTNER_OUTBOUND_AUTH } from '@as2-partners/connection-tester-service';
import { PartnerOutboundAuth, PartnerRegistryModule } from '@as2-partners/partner-registry-service';

/**
 * In one process the connection tester gets partners' outbound HTTP credentials from the partner-registry's
 * `PartnerOutboundAuth` (the PARTNER_OUTBOUND_AUTH port), so passwords stay sealed everywhere else.
 */
@Global()
@Module({
  imports: [PartnerRegistryModule],
  providers: [{ provide: PARTNER_OUTBOUND_AUTH, useExisting: PartnerOutboundAuth }],
  exports: [PARTNER_OUTBOUND_AUTH],
})
export class PartnerCredentialsBridgeModule {}
