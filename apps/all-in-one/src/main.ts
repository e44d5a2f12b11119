import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, startHttpServer } from '@as2-partners/platform';
import { AllInOneModule } from './all-in-one.module';

startHttpServer(AllInOneModule, { title: 'as2-partners (all-in-one)', openInfrastructure }).catch(exitOnStartupFailure);
