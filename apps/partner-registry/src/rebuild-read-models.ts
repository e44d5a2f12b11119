import { PartnerRegistryModule } from '@as2-partners/partner-registry-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';

/** `node dist/apps/partner-registry/rebuild-read-models.js`: replays the event store into the registry's read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(PartnerRegistryModule, loadPlatformConfig(), { openInfrastructure });
  const summary = rebuilt.map((r) => (r.skipped ? `${r.name} (skipped: ${r.skipped})` : `${r.name} (${r.durationMs} ms)`)).join(', ') || 'none registered';
  process.stdout.write(`Rebuilt ${rebuilt.length} read model(s): ${summary}\n`);
}

main().catch(exitOnStartupFailure);
