import { Global, Module } from '@nestjs/common';
import { PLATFORM_CONFIG, ReadsSettings, type PlatformConfig } from '@as2-partners/platform';
import { OUR_AS2_SIGNER } from './our-as2-signer.port';
import { remoteKeystoreConfigFrom, type RemoteKeystoreConfig } from './remote-keystore.config';

const readConfig = (platform: PlatformConfig): RemoteKeystoreConfig | null => remoteKeystoreConfigFrom(platform.env, platform.jwt);
import { RemoteKeystoreSigner } from './remote-keystore-signer';

/**
 * For the tester in its own process: OUR_AS2_SIGNER over the certificate-lifecycle service's internal key routes when
 * KEYSTORE_URL is set (null otherwise). The all-in-one composition provides the in-process keystore instead.
 */
@ReadsSettings(readConfig)
@Global()
@Module({
  providers: [
    {
      provide: OUR_AS2_SIGNER,
      inject: [PLATFORM_CONFIG],
      useFactory: (platform: PlatformConfig) => {
        const config = readConfig(platform);
        return config ? new RemoteKeystoreSigner(config) : null;
      },
    },
  ],
  exports: [OUR_AS2_SIGNER],
})
export class RemoteKeystoreSignerModule {}
