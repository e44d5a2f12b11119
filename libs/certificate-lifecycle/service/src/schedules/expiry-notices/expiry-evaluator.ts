import { systemMetadata } from '@as2-partners/platform';
import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { EXPIRY_THRESHOLD_DAYS, type KeyAliasScope } from '@as2-partners/certificate-lifecycle-domain';
import { CLOCK, type Actor, type Clock, type EventMetadata } from '@as2-partners/kernel';
import { CERTIFICATE_LIFECYCLE_CONFIG, type CertificateLifecycleConfig } from '../../config/certificate-lifecycle.config';
import { CertificateViewsProjection } from '../../queries/certificate-views/certificate-views.projection';
import { CertificateWriteModel } from '../../write-model/certificate-write-model';
import { OurKeystore } from '../../keystore/our-keystore';
import { KeyViewsProjection } from '../../queries/key-views/key-views.projection';

const DAY_MS = 86_400_000;
const PAGE = 200;

/** Who raises every expiry notice, on its schedule or right after an upload (a user's request only causes it). */
const EXPIRY_EVALUATOR: Actor = { type: 'system', id: 'expiry-evaluator' };

/**
 * Emits `certificate.expiring.v1` (30, 14, 7, 1 days before not_after) and `certificate.expired.v1`, each once per
 * certificate and threshold, and the same `key.expiring.v1` / `key.expired.v1` for the certificates of our own keys:
 * on start, daily, and right after an upload or a key's creation. Once-only holds across replicas because
 * each notice is decided on the certificate's stream with its expected revision.
 */
@Injectable()
export class ExpiryEvaluator implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ExpiryEvaluator');
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly writeModel: CertificateWriteModel,
    @Inject(CertificateViewsProjection) private readonly views: CertificateViewsProjection,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(CERTIFICATE_LIFECYCLE_CONFIG) private readonly config: CertificateLifecycleConfig,
    private readonly keystore: OurKeystore,
    @Inject(KeyViewsProjection) private readonly keyViews: KeyViewsProjection,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.evaluateAll().catch((error) => this.logger.error(`Expiry evaluation failed: ${String(error)}`));
    this.timer = setInterval(() => {
      this.running = this.evaluateAll().catch((error) => this.logger.error(`Expiry evaluation failed: ${String(error)}`));
    }, this.config.expiryIntervalMs);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * One certificate; returns the position of the notice appended, or null. `metadata`: what caused it (an upload's
   * request keeps its correlation); the notice's actor is the evaluator's, whoever caused it.
   */
  async evaluate(certificateId: string, now: Date, metadata: EventMetadata): Promise<number | null> {
    const result = await this.writeModel.decideCertificate(
      certificateId,
      () => ({ type: 'evaluate_expiry', now: now.toISOString() }),
      { ...metadata, actor: EXPIRY_EVALUATOR },
    );
    return result.position;
  }

  /** Our keys of one alias; returns the position of the notices appended, or null. Its actor as in `evaluate`. */
  async evaluateKeyAlias(scope: KeyAliasScope, now: Date, metadata: EventMetadata): Promise<number | null> {
    return (await this.keystore.decide(scope, () => ({ type: 'evaluate_expiry', ...scope, now: now.toISOString() }), { ...metadata, actor: EXPIRY_EVALUATOR })).position;
  }

  /** Every active certificate within the widest threshold of its expiry (the rest cannot be due). */
  async evaluateAll(): Promise<number> {
    const now = this.clock.now();
    const horizon = new Date(now.getTime() + EXPIRY_THRESHOLD_DAYS[0] * DAY_MS).toISOString();
    let emitted = 0;
    for (let skip = 0; ; skip += PAGE) {
      const page = await this.views.certificates.find({ filter: { expiresAt: { $lte: horizon } }, sort: { expiresAt: 1, _id: 1 }, skip, limit: PAGE });
      for (const doc of page.items) {
        if (doc.expiryNotice === 0) continue;
        const metadata = systemMetadata({ account: doc.account, tenant: doc.tenant }, EXPIRY_EVALUATOR, now);
        if ((await this.evaluate(doc._id, now, metadata)) !== null) emitted++;
      }
      if (page.items.length < PAGE) break;
    }
    emitted += await this.evaluateKeys(now, horizon);
    if (emitted > 0) this.logger.log(`${emitted} expiry notice(s) emitted`);
    return emitted;
  }

  private async evaluateKeys(now: Date, horizon: string): Promise<number> {
    const aliases = new Map<string, KeyAliasScope>();
    for (let skip = 0; ; skip += PAGE) {
      const page = await this.keyViews.keys.find({ filter: { expiresAt: { $lte: horizon }, role: { $ne: 'retired' } }, sort: { expiresAt: 1, _id: 1 }, skip, limit: PAGE });
      for (const doc of page.items) if (doc.expiryNotice !== 0) aliases.set(`${doc.account}/${doc.tenant}/${doc.alias}`, { account: doc.account, tenant: doc.tenant, alias: doc.alias });
      if (page.items.length < PAGE) break;
    }
    let emitted = 0;
    for (const scope of aliases.values()) {
      const metadata = systemMetadata(scope, EXPIRY_EVALUATOR, now);
      if ((await this.evaluateKeyAlias(scope, now, metadata)) !== null) emitted++;
    }
    return emitted;
  }
}
