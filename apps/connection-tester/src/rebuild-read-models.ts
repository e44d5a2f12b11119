import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels, rebuildSummary } from '@as2-partners/platform';

/** `node dist/apps/connection-tester/rebuild-read-models.js`: replays the event store into the connection-tester read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(ConnectionTesterModule, loadPlatformConfig(), { openInfrastructure });
  process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
}

main().catch(exitOnStartupFailure);
