import { CertificateLifecycleModule } from '@as2-partners/certificate-lifecycle-service';
import { openInfrastructure } from '@as2-partners/composition';
import { exitOnStartupFailure, loadPlatformConfig, rebuildReadModels, rebuildSummary } from '@as2-partners/platform';

/** `node dist/apps/certificate-lifecycle/rebuild-read-models.js`: replays the event store into the certificate read models, then exits. */
async function main(): Promise<void> {
  const rebuilt = await rebuildReadModels(CertificateLifecycleModule, loadPlatformConfig(), { openInfrastructure });
  process.stdout.write(`${rebuildSummary(rebuilt)}\n`);
}

main().catch(exitOnStartupFailure);
