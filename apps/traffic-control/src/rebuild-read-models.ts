import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels, rebuildSummary } from '@as2-partners/platform';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

/** `node dist/apps/traffic-control/rebuild-read-models.js`: replays the event store into the traffic read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(TrafficControlModule, loadPlatformConfig(), { openInfrastructure });
  process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
}

main().catch(exitOnStartupFailure);
