import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, limitHeapGrowth, startHttpServer } from '@as2-partners/platform';
import { AllInOneModule } from './all-in-one.module';
import { warmUpRequests } from './warm-up-requests';

async function main(): Promise<void> {
  limitHeapGrowth();
  await startHttpServer(AllInOneModule, { title: 'as2-partners (all-in-one)', openInfrastructure, warmUp: warmUpRequests });
}

main().catch(exitOnStartupFailure);
