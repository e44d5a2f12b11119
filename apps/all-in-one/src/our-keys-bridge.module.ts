import { Global, Module } from '@nestjs/common';
import { CertificateLifecycleModule, OurKeyOperations } from '@as2-partners/certificate-lifecycle-service';
import { OUR_AS2_SIGNER } from '@as2-partners/connection-tester-service';

/**
 * In one process the connection tester signs through the certificate-lifecycle keystore's `OurKeyOperations` (its
 * `buildAs2Message(ref, options)` is the OUR_AS2_SIGNER port), so our private keys stay in that service.
 */
@Global()
@Module({
  imports: [CertificateLifecycleModule],
  providers: [{ provide: OUR_AS2_SIGNER, useExisting: OurKeyOperations }],
  exports: [OUR_AS2_SIGNER],
})
export class OurKeysBridgeModule {}
