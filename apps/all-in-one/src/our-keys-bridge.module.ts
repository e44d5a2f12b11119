import { Global, Module, type Provider, type Type } from '@nestjs/common';
import * as certificateLifecycle from '@as2-partners/certificate-lifecycle-service';
import { OUR_AS2_SIGNER } from '@as2-partners/connection-tester-service';

/**
 * In one process the connection tester signs through the certificate-lifecycle keystore's `OurKeyOperations`
 * (its `buildAs2Message(ref, options)` is the OUR_AS2_SIGNER port), so our private keys stay in that service.
 * Looked up by name: the keystore is built in parallel with this service; without it the tester has no signer and
 * partners that want signed messages answer SIGNING_KEY_UNAVAILABLE.
 */
const keyOperations = (certificateLifecycle as Record<string, unknown>)['OurKeyOperations'] as Type<unknown> | undefined;
const providers: Provider[] = keyOperations ? [{ provide: OUR_AS2_SIGNER, useExisting: keyOperations }] : [];

@Global()
@Module({
  imports: [certificateLifecycle.CertificateLifecycleModule],
  providers,
  exports: providers.length > 0 ? [OUR_AS2_SIGNER] : [],
})
export class OurKeysBridgeModule {}
