import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';

// The partner registry on its own, meant for distributed mode (MODE=distributed with ESDB_URL, KAFKA_BROKERS, MONGO_URL).
startHttpServer(PartnerRegistryModule, { title: 'as2-partners partner registry', kafkaClientId: 'partner-registry', openInfrastructure }).catch(exitOnStartupFailure);
