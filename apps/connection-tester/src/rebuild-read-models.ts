import { ConnectionTesterModule } from '@as2-partners/connection-tester-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';

/** `node dist/apps/connection-tester/rebuild-read-models.js`: replays the event store into the connection-tester read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(ConnectionTesterModule, loadPlatformConfig(), { openInfrastructure });
  const summary = rebuilt.map((r) => (r.skipped ? `${r.name} (skipped: ${r.skipped})` : `${r.name} (${r.durationMs} ms)`)).join(', ') || 'none registered';
  process.stdout.write(`Rebuilt ${rebuilt.length} read model(s): ${summary}\n`);
}

main().catch(exitOnStartupFailure);
