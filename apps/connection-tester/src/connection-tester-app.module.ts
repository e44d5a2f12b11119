import { Module } from '@nestjs/common';
import { ConnectionTesterModule, RemoteKeystoreSignerModule } from '@as2-partners/connection-tester-service';

/** The tester in its own process: the service, and its signatures made by the certificate-lifecycle keystore over HTTP. */
@Module({ imports: [RemoteKeystoreSignerModule, ConnectionTesterModule] })
export class ConnectionTesterAppModule {}
