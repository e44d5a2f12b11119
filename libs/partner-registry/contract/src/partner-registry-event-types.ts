/** The partner-registry's published event types other services consume, by what they are about. */
export const PartnerRegistryEventTypes = {
  partner: [
    'partner.created.v1',
    'master_partner.created.v1',
    'partner.updated.v1',
    'master_partner.updated.v1',
    'partner.deleted.v1',
    'master_partner.deleted.v1',
    'partner.as2_id_changed.v1',
    'master_partner.as2_id_changed.v1',
  ],
  tenant: ['tenant.created.v1', 'tenant.updated.v1', 'tenant.deleted.v1'],
  as2Instance: ['as2_instance.created.v1', 'as2_instance.updated.v1', 'as2_instance.status_changed.v1', 'as2_instance.deleted.v1'],
  partnership: ['partnership.created.v1', 'partnership.updated.v1', 'partnership.deleted.v1'],
  station: ['station.created.v1', 'station.updated.v1', 'station.deleted.v1'],
  partnerOverride: ['partner.override_set.v1', 'partner.overrides_reset.v1'],
} as const;

export type PartnerRegistryPublishedType = (typeof PartnerRegistryEventTypes)[keyof typeof PartnerRegistryEventTypes][number];
