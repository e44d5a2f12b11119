export * from './certificate-lifecycle.module';
export * from './certificate-lifecycle.service-name';
export { ActivationScheduler, type DueActivations, type ActivationSchedulerOptions } from './schedules/rollover-activation/activation-scheduler';
export { ActivationSchedulerLifecycle } from './schedules/rollover-activation/activation-scheduler.lifecycle';
export { RolloverActivation, type PartnerScope } from './schedules/rollover-activation/rollover-activation';
export { HttpTimestamper, openTimestamper, TIMESTAMPER, type Timestamper } from './timestamping/timestamper';
export { CertificateQueries, certificateListQuery, certificatesWithFingerprintQuery, type CertificateListCriteria } from './queries/certificate-views/certificate-queries';
export { CERTIFICATE_FINGERPRINT_INDEX, CertificateViewsProjection } from './queries/certificate-views/certificate-views.projection';
export { keyListQuery, type KeyListCriteria } from './queries/key-views/key-queries';
export { KEY_LIST_INDEX, KEY_VIEWS_COLLECTION, type KeyViewDocument } from './queries/key-views/key-view.document';
export { KeyViewsProjection } from './queries/key-views/key-views.projection';
export { instancesNamingAliasQuery, KnownInstancesConsumer } from './reactions/as2-instances/known-instances.consumer';
export { INSTANCES_NAMING_ALIAS_INDEX, KNOWN_INSTANCES_COLLECTION, type KnownInstanceDocument } from './reactions/as2-instances/known-instance.document';
export type { CertificateViewDocument } from './queries/certificate-views/certificate-view.document';
export { readPartnerTimeline, type PartnerNotices, type TimelinePage } from './queries/trust-timeline/partner-timeline';
export { ExpiryEvaluator } from './schedules/expiry-notices/expiry-evaluator';
export {
  OurKeyOperations,
  type AttributesSignatureResult,
  type DecryptionResult,
  type KeyAliasRef,
  type SignatureResult,
  type UnwrappedKeysResult,
} from './keystore/our-key-operations';
export { KEYSTORE_MASTER_KEY_FILE } from './keystore/keystore-master-key';
export { SEALED_KEYS_COLLECTION } from './keystore/sealed-key.store';
