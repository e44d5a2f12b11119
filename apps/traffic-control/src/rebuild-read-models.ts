import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';
import { TrafficControlModule } from '@as2-partners/traffic-control-service';

/** `node dist/apps/traffic-control/rebuild-read-models.js`: replays the event store into the traffic read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(TrafficControlModule, loadPlatformConfig(), { openInfrastructure });
  const summary = rebuilt.map((r) => (r.skipped ? `${r.name} (skipped: ${r.skipped})` : `${r.name} (${r.durationMs} ms)`)).join(', ') || 'none registered';
  process.stdout.write(`Rebuilt ${rebuilt.length} read model(s): ${summary}\n`);
}

main().catch(exitOnStartupFailure);
