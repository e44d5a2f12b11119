import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { AllInOneModule } from './all-in-one.module';

/** `node dist/apps/all-in-one/rebuild-read-models.js`: replays the event store into every read model, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(AllInOneModule, loadPlatformConfig(), { openInfrastructure });
  const summary = rebuilt.map((r) => (r.skipped ? `${r.name} (skipped: ${r.skipped})` : `${r.name} (${r.durationMs} ms)`)).join(', ') || 'none registered';
  process.stdout.write(`Rebuilt ${rebuilt.length} read model(s): ${summary}\n`);
}

main().catch(exitOnStartupFailure);
