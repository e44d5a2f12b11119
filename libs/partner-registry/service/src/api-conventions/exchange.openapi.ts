import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { apiTimestampSchema, dataOf, nullableApiTimestampSchema, pageOf } from '@as2-partners/platform';
import { PARTNER_SCHEMA } from './partner-registry.openapi';

/** Response bodies of AS2 instances, partnerships, stations, AS2-id changes and gateway message events. */

const str = (): SchemaObject => ({ type: 'string' });
const nullableString = (): SchemaObject => ({ type: 'string', nullable: true });
const object = (properties: Record<string, SchemaObject>, optional: readonly string[] = []): SchemaObject => ({
  type: 'object',
  required: Object.keys(properties).filter((name) => !optional.includes(name)),
  properties,
});

const AS2_INSTANCE_PROPERTIES: Record<string, SchemaObject> = {
  id: { type: 'string', example: 'ins_01HQ3K4N5M6P7Q8R9S0T1U2V3W' },
  my_as2_id: str(),
  my_name: str(),
  my_as2_alias: str(),
  my_email: nullableString(),
  status: { type: 'string', enum: ['on', 'off'] },
  type: { type: 'string', enum: ['tenant', 'inherited', 'master'] },
  created_at: apiTimestampSchema(),
  updated_at: apiTimestampSchema(),
};
export const AS2_INSTANCE_SCHEMA = object(AS2_INSTANCE_PROPERTIES);

const RELATED_PARTNERSHIP_SCHEMA = object({ id: str(), tenant: str(), my_as2_id: str(), my_name: str(), partner_id: str(), partner_as2_id: nullableString(), partner_name: nullableString() });

const OUR_KEY_SCHEMA = object(
  {
    id: str(),
    alias: str(),
    status: { type: 'string', enum: ['current', 'next', 'previous'] },
    usage: { type: 'string', enum: ['sign_and_decrypt', 'decrypt', 'none'], description: 'As GET /v1/keys says it' },
    fingerprint: str(),
    expires_at: nullableApiTimestampSchema(),
    activate_at: nullableApiTimestampSchema(),
    overlap_until: nullableApiTimestampSchema(),
    tenant: str(),
  },
  ['tenant'],
);

const AS2_INSTANCE_DETAILS_SCHEMA = object({
  ...AS2_INSTANCE_PROPERTIES,
  partnerships: { type: 'array', maxItems: 100, items: RELATED_PARTNERSHIP_SCHEMA, description: 'The first 100, oldest first: all of them in pages at GET /v1/partnerships?as2_instance_id=' },
  partnerships_total: { type: 'integer', minimum: 0, description: 'How many partnerships name the instance (those the caller sees)' },
  keys: { type: 'array', items: OUR_KEY_SCHEMA },
});

const OVERRIDES_SCHEMA: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  properties: {
    subject: nullableString(),
    mdn_mode: str(),
    sign: { type: 'boolean' },
    encrypt: { type: 'boolean' },
    compress: { type: 'boolean' },
    sign_algorithm: nullableString(),
    encrypt_algorithm: nullableString(),
  },
  description: 'Only the settings this partnership overrides',
};

const PARTNERSHIP_SCHEMA = object({
  id: str(),
  as2_instance_id: str(),
  partner_id: str(),
  my_as2_id: nullableString(),
  my_name: nullableString(),
  partner_as2_id: nullableString(),
  partner_name: nullableString(),
  overrides: OVERRIDES_SCHEMA,
  created_at: apiTimestampSchema(),
  updated_at: apiTimestampSchema(),
});

const RESOLVED_PARTNERSHIP_SCHEMA = object({
  partnership_id: str(),
  direction: { type: 'string', enum: ['outbound', 'inbound'] },
  as2_from: str(),
  as2_to: str(),
  can_exchange: { type: 'boolean' },
  as2_instance: AS2_INSTANCE_SCHEMA,
  partner: {
    ...PARTNER_SCHEMA,
    required: [...(PARTNER_SCHEMA.required ?? []), 'certificates', 'certificates_total'],
    properties: {
      ...PARTNER_SCHEMA.properties,
      certificates: { type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Oldest first, at most 100: every certificate current in a slot, then the newest others (as in the partner\'s details)' },
      certificates_total: { type: 'integer', minimum: 0, description: 'How many certificates the partner holds' },
    },
  },
  overrides: OVERRIDES_SCHEMA,
  effective: {
    type: 'object',
    required: ['my_as2_id', 'my_as2_alias', 'my_email', 'partner_as2_id'],
    properties: { my_as2_id: str(), my_as2_alias: str(), my_email: nullableString(), partner_as2_id: str() },
    additionalProperties: true,
    description: "The partner's settings with the partnership's overrides applied",
  },
});

const STATION_SCHEMA = object({
  id: str(),
  name: str(),
  notification_email: nullableString(),
  as2_instance_id: nullableString(),
  created_at: apiTimestampSchema(),
  updated_at: apiTimestampSchema(),
});

const DELETED_SCHEMA = object({ id: str(), deleted_at: apiTimestampSchema() });

const AS2_ID_CHANGE_IMPACT_SCHEMA = object({
  partner_id: str(),
  current_as2_id: str(),
  new_as2_id: str(),
  new_as2_id_available: { type: 'boolean' },
  partnerships: { type: 'array', items: object({ id: str(), tenant: str(), as2_instance_id: str() }) },
  message_stats_kept_under_old_id: { type: 'object', nullable: true, additionalProperties: true, description: "A tenant partner's statistics under its current id; null for a master partner (see the list by tenant)" },
  message_stats_kept_under_old_id_by_tenant: {
    type: 'array',
    description: 'Every tenant with messages recorded under the current id (a master partner: each tenant inheriting it), their statistics: they stay with the old id',
    items: { type: 'object', required: ['tenant'], properties: { tenant: str() }, additionalProperties: true },
  },
  traffic_pauses: {
    type: 'array',
    description: "The account's pauses of a master partner (tenant null), then each tenant's own: at each level those in effect, then the maintenance windows to come (soonest first, one entry per direction), which pause the partner by its id whatever its AS2 id then",
    items: object({
      direction: { type: 'string', enum: ['incoming', 'outgoing'] },
      level: { type: 'string', enum: ['account', 'tenant'] },
      tenant: nullableString(),
      response: nullableString(),
      reason: str(),
      until: nullableApiTimestampSchema(),
      window_id: nullableString(),
      starts_at: { ...nullableApiTimestampSchema(), description: "null: in effect now; a window's start when it is still to come" },
    }),
  },
  scheduled_activations: {
    type: 'array',
    description: "Certificate activations the certificate-lifecycle service will make at their time (as GET /v1/partners/{id}/trust names them), soonest first: they belong to the partner id and survive the change",
    items: object({
      kind: { type: 'string', enum: ['backup', 'rollover'], description: "backup: one slot switches to its backup certificate; rollover: the next certificate takes the slots, the previous ones accepted until overlap_until" },
      slots: { type: 'array', items: { type: 'string', enum: ['encryption', 'signature', 'tls'] } },
      certificate_id: str(),
      fingerprint_sha256: nullableString(),
      activate_at: apiTimestampSchema(),
      overlap_until: nullableApiTimestampSchema(),
    }),
  },
  risks: { type: 'array', items: { type: 'string' } },
  requires: object({ acknowledge_risks: { type: 'boolean' } }),
});

const AS2_ID_CHANGED_SCHEMA = object({ id: str(), old_as2_id: str(), as2_id: str(), changed_at: apiTimestampSchema() });

const MESSAGE_EVENTS_RECEIVED_SCHEMA = object({ received: { type: 'integer', minimum: 0 }, applied: { type: 'integer', minimum: 0 }, ignored: { type: 'integer', minimum: 0 } });

export const AS2_INSTANCE_PAGE = pageOf(AS2_INSTANCE_SCHEMA);
export const AS2_INSTANCE_WRITTEN = dataOf(AS2_INSTANCE_SCHEMA, true);
export const AS2_INSTANCE_DETAILS = dataOf(AS2_INSTANCE_DETAILS_SCHEMA);
export const PARTNERSHIP_PAGE = pageOf(PARTNERSHIP_SCHEMA);
export const PARTNERSHIP_WRITTEN = dataOf(PARTNERSHIP_SCHEMA, true);
export const PARTNERSHIP_READ = dataOf(PARTNERSHIP_SCHEMA);
export const PARTNERSHIP_RESOLVED = dataOf(RESOLVED_PARTNERSHIP_SCHEMA);
export const STATION_PAGE = pageOf(STATION_SCHEMA);
export const STATION_WRITTEN = dataOf(STATION_SCHEMA, true);
export const STATION_READ = dataOf(STATION_SCHEMA);
export const EXCHANGE_DELETED = dataOf(DELETED_SCHEMA, true);
export const AS2_ID_CHANGE_IMPACT = dataOf(AS2_ID_CHANGE_IMPACT_SCHEMA);
export const AS2_ID_CHANGED = dataOf(AS2_ID_CHANGED_SCHEMA, true);
export const MESSAGE_EVENTS_RECEIVED = dataOf(MESSAGE_EVENTS_RECEIVED_SCHEMA);
