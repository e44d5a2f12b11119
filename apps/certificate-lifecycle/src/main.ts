import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';

// The certificate-lifecycle service on its own, meant for distributed mode (MODE=distributed with ESDB_URL, KAFKA_BROKERS, MONGO_URL).
startHttpServer(CertificateLifecycleModule, { title: 'as2-partners certificate lifecycle', kafkaClientId: 'certificate-lifecycle', openInfrastructure }).catch(exitOnStartupFailure);
