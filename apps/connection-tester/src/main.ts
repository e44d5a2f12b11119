import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';

// The connection-tester service on its own, meant for distributed mode (MODE=distributed with ESDB_URL, KAFKA_BROKERS, MONGO_URL).
startHttpServer(ConnectionTesterModule, { title: 'as2-partners connection tester', kafkaClientId: 'connection-tester', openInfrastructure }).catch(exitOnStartupFailure);
