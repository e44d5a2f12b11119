import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

// The traffic-control service on its own, meant for distributed mode (MODE=distributed with ESDB_URL, KAFKA_BROKERS, MONGO_URL).
startHttpServer(TrafficControlModule, { title: 'as2-partners traffic control', kafkaClientId: 'traffic-control', openInfrastructure }).catch(exitOnStartupFailure);
