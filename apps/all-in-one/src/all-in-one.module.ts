import { Module } from '@nestjs/common';
import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';
import { OurKeysBridgeModule } from './our-keys-bridge.module';
import { PartnerCredentialsBridgeModule } from './partner-credentials-bridge.module';

/** Every service in one process (embedded mode by default): add one import per service module. */
@Module({
  imports: [PartnerRegistryModule, CertificateLifecycleModule, TrafficControlModule, ConnectionTesterModule, OurKeysBridgeModule, PartnerCredentialsBridgeModule],
})
export class AllInOneModule {}
