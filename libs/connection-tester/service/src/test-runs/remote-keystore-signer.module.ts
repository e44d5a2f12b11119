import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG, type PlatformConfig } from '@as2-partners/platform';
import { OUR_AS2_SIGNER } from './our-as2-signer.port';
import { remoteKeystoreConfigFrom } from './remote-keystore.config';
import { RemoteKeystoreSigner } from './remote-keystore-signer';

/**
 * For the tester in its own process: OUR_AS2_SIGNER over the certificate-lifecycle service's internal key routes when
 * KEYSTORE_URL is set (null otherwise). The all-in-one composition provides the in-process keystore instead.
 */
@Global()
@Module({
  providers: [
    {
      provide: OUR_AS2_SIGNER,
      inject: [PLATFORM_CONFIG],
      useFactory: (platform: PlatformConfig) => {
        const config = remoteKeystoreConfigFrom(platform.env, platform.jwt);
        return config ? new RemoteKeystoreSigner(config) : null;
      },
    },
  ],
  exports: [OUR_AS2_SIGNER],
})
export class RemoteKeystoreSignerModule {}
