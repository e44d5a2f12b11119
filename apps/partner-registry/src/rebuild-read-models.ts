import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels, rebuildSummary } from '@as2-partners/platform';

/** `node dist/apps/partner-registry/rebuild-read-models.js`: replays the event store into the registry's read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(PartnerRegistryModule, loadPlatformConfig(), { openInfrastructure });
  process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
}

main().catch(exitOnStartupFailure);
