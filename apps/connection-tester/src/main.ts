import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';
import { ConnectionTesterAppModule } from './connection-tester-app.module';

// The connection-tester service on its own, meant for distributed mode (MODE=distributed with ESDB_URL, KAFKA_BROKERS, MONGO_URL;
// KEYSTORE_URL and KEYSTORE_TOKEN so partners that want signed messages get a `full` test).
startHttpServer(ConnectionTesterAppModule, { title: 'as2-partners connection tester', kafkaClientId: 'connection-tester', openInfrastructure }).catch(exitOnStartupFailure);
