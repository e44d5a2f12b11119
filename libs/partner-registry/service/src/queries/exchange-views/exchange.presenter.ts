import type { PartnershipOverrides } from '@as2-partners/partner-registry-domain';
import { toApiTimestamp } from '../../api-conventions/api-timestamp';
import type { PartnerViewDocument } from '../partner-views/partner-view.document';
import type { As2InstanceDocument, PartnershipDocument, StationDocument } from './exchange-view.documents';

/** `master` on the account admin's routes; a tenant sees the account's instances as `inherited`. */
export type InstancePresentedType = 'tenant' | 'inherited' | 'master';

export function presentAs2Instance(doc: As2InstanceDocument, type: InstancePresentedType = doc.tenant === null ? 'inherited' : 'tenant') {
  return {
    id: doc.instanceId,
    my_as2_id: doc.myAs2Id,
    my_name: doc.myName,
    my_as2_alias: doc.myAs2Alias,
    my_email: doc.myEmail,
    status: doc.status,
    type,
    created_at: toApiTimestamp(doc.createdAt),
    updated_at: toApiTimestamp(doc.updatedAt),
  };
}

/** Seed 001's "Related Partnership" row. */
export function presentRelatedPartnership(partnership: PartnershipDocument, instance: As2InstanceDocument, partner: PartnerViewDocument | null) {
  return {
    id: partnership.partnershipId,
    tenant: partnership.tenant,
    my_as2_id: instance.myAs2Id,
    my_name: instance.myName,
    partner_id: partnership.partnerId,
    partner_as2_id: partner?.as2Id ?? null,
    partner_name: partner?.settings.name ?? null,
  };
}

export function presentOverridesOfPartnership(overrides: PartnershipOverrides) {
  const out: Record<string, unknown> = {};
  if (overrides.subject !== undefined) out['subject'] = overrides.subject;
  if (overrides.mdnMode !== undefined) out['mdn_mode'] = overrides.mdnMode;
  if (overrides.sign !== undefined) out['sign'] = overrides.sign;
  if (overrides.encrypt !== undefined) out['encrypt'] = overrides.encrypt;
  if (overrides.compress !== undefined) out['compress'] = overrides.compress;
  if (overrides.signAlgorithm !== undefined) out['sign_algorithm'] = overrides.signAlgorithm;
  if (overrides.encryptAlgorithm !== undefined) out['encrypt_algorithm'] = overrides.encryptAlgorithm;
  return out;
}

export function presentPartnership(doc: PartnershipDocument, instance: As2InstanceDocument | null, partner: PartnerViewDocument | null) {
  return {
    id: doc.partnershipId,
    as2_instance_id: doc.as2InstanceId,
    partner_id: doc.partnerId,
    my_as2_id: instance?.myAs2Id ?? null,
    my_name: instance?.myName ?? null,
    partner_as2_id: partner?.as2Id ?? null,
    partner_name: partner?.settings.name ?? null,
    overrides: presentOverridesOfPartnership(doc.overrides),
    created_at: toApiTimestamp(doc.createdAt),
    updated_at: toApiTimestamp(doc.updatedAt),
  };
}

export function presentStation(doc: StationDocument) {
  return {
    id: doc.stationId,
    name: doc.name,
    notification_email: doc.notificationEmail,
    as2_instance_id: doc.as2InstanceId,
    created_at: toApiTimestamp(doc.createdAt),
    updated_at: toApiTimestamp(doc.updatedAt),
  };
}
