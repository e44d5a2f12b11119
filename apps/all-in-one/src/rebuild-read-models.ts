import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels, rebuildSummary } from '@as2-partners/platform';
import { AllInOneModule } from './all-in-one.module';

/** `node dist/apps/all-in-one/rebuild-read-models.js`: replays the event store into every read model, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(AllInOneModule, loadPlatformConfig(), { openInfrastructure });
  process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
}

main().catch(exitOnStartupFailure);
