import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels } from '@as2-partners/platform';

/** `node dist/apps/certificate-lifecycle/rebuild-read-models.js`: replays the event store into the certificate read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(CertificateLifecycleModule, loadPlatformConfig(), { openInfrastructure });
  const summary = rebuilt.map((r) => (r.skipped ? `${r.name} (skipped: ${r.skipped})` : `${r.name} (${r.durationMs} ms)`)).join(', ') || 'none registered';
  process.stdout.write(`Rebuilt ${rebuilt.length} read model(s): ${summary}\n`);
}

main().catch(exitOnStartupFailure);
