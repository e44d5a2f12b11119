import { Module } from '@nestjs/common';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

/** Every service in one process (embedded mode by default): add one import per service module. */
@Module({
  imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule],
})
export class AllInOneModule {}
