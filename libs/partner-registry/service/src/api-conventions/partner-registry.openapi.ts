import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { ENCRYPT_ALGORITHMS, MDN_MODES, SIGN_ALGORITHMS } from '@as2-partners/partner-registry-domain';
import { apiTimestampSchema, dataOf, nullableApiTimestampSchema, pageOf } from '@as2-partners/platform';

/** Response bodies of the partner registry (seed 002), referenced by the controllers' @ApiResponse decorators. */

const nullableString = (description?: string): SchemaObject => ({ type: 'string', nullable: true, ...(description ? { description } : {}) });

/** The settings seed 002's complete configuration object groups as `security`, and the partner also answers flat. */
const SECURITY_PROPERTIES: Record<string, SchemaObject> = {
  sign: { type: 'boolean' },
  encrypt: { type: 'boolean' },
  compress: { type: 'boolean' },
  sign_algorithm: { type: 'string', enum: [...SIGN_ALGORITHMS, null], nullable: true },
  encrypt_algorithm: { type: 'string', enum: [...ENCRYPT_ALGORITHMS, null], nullable: true },
};
const MDN_MODE: SchemaObject = { type: 'string', enum: [...MDN_MODES] };

const PARTNER_PROPERTIES: Record<string, SchemaObject> = {
  id: { type: 'string', example: 'prt_01HQ3K4N5M6P7Q8R9S0T1U2V3W' },
  name: { type: 'string', example: 'Acme Corporation' },
  as2_id: { type: 'string', example: 'ACME-CORP-AS2' },
  // No format: uri: an international host or path is kept as given (an IRI, RFC 3987), which a URI check refuses.
  url: { type: 'string', example: 'https://acme.example.com/as2', description: "The partner's AS2 endpoint (https), as given: an international host or path stays as typed" },
  active: { type: 'boolean' },
  type: { type: 'string', enum: ['tenant', 'inherited', 'master'] },
  master_partner_id: nullableString('The master partner an inherited partner follows'),
  has_overrides: { type: 'boolean' },
  sign: SECURITY_PROPERTIES['sign'],
  encrypt: SECURITY_PROPERTIES['encrypt'],
  compress: SECURITY_PROPERTIES['compress'],
  mdn_mode: MDN_MODE,
  sign_algorithm: SECURITY_PROPERTIES['sign_algorithm'],
  encrypt_algorithm: SECURITY_PROPERTIES['encrypt_algorithm'],
  email: nullableString(),
  subject: nullableString(),
  security: {
    type: 'object',
    description: "The five flat settings above grouped, as seed 002's complete configuration object shows them (either shape is taken on create and update)",
    required: Object.keys(SECURITY_PROPERTIES),
    properties: SECURITY_PROPERTIES,
  },
  mdn: {
    type: 'object',
    required: ['mode', 'url', 'signed', 'algorithm'],
    properties: {
      mode: { ...MDN_MODE, description: 'mdn_mode, grouped with the MDN settings as seed 002 shows it (either is taken on create and update)' },
      url: nullableString(),
      signed: { type: 'boolean' },
      algorithm: { type: 'string', enum: [...SIGN_ALGORITHMS, null], nullable: true },
    },
  },
  connection: {
    type: 'object',
    required: ['timeout_seconds', 'retry_attempts', 'retry_interval_seconds'],
    properties: { timeout_seconds: { type: 'integer' }, retry_attempts: { type: 'integer' }, retry_interval_seconds: { type: 'integer' } },
  },
  http_auth: {
    type: 'object',
    required: ['enabled', 'username', 'has_password'],
    properties: { enabled: { type: 'boolean' }, username: nullableString(), has_password: { type: 'boolean', description: 'The password itself is never returned' } },
  },
  station_id: nullableString('The station (of the tenant) the partner belongs to'),
  firewall: {
    type: 'object',
    required: ['enabled', 'allowed_ips'],
    description: 'The inbound firewall: when enabled, only these source ranges may deliver as the partner',
    properties: { enabled: { type: 'boolean' }, allowed_ips: { type: 'array', items: { type: 'string', example: '203.0.113.0/24' } } },
  },
  override_settings: { type: 'object', additionalProperties: true, description: "Only the fields this tenant overrode, in the partner's field names" },
  created_at: apiTimestampSchema(),
  updated_at: apiTimestampSchema(),
};

export const PARTNER_SCHEMA: SchemaObject = {
  type: 'object',
  required: Object.keys(PARTNER_PROPERTIES).filter((name) => name !== 'override_settings'),
  properties: PARTNER_PROPERTIES,
};

const PARTNER_CERTIFICATE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'type', 'usage', 'subject', 'active', 'expires_at', 'created_at', 'slots'],
  properties: {
    id: { type: 'string', example: 'cert_01HQ3K4N5M6P7Q8R9S0T1U2V3W' },
    name: { type: 'string' },
    type: { type: 'string', nullable: true },
    usage: { type: 'string' },
    subject: nullableString(),
    active: { type: 'boolean' },
    expires_at: apiTimestampSchema(),
    created_at: apiTimestampSchema(),
    slots: { type: 'array', items: { type: 'string' } },
  },
};

/** One direction of a partner's traffic: paused or not and, when paused, by whom, how and until when. */
const TRAFFIC_DIRECTION_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['paused'],
  properties: {
    paused: { type: 'boolean' },
    level: { type: 'string', enum: ['account', 'tenant'], description: "Whose pause holds it: the account's (a master partner) or the tenant's" },
    response: nullableString('How the gateway answers the paused traffic'),
    reason: { type: 'string' },
    until: nullableApiTimestampSchema(),
    window_id: nullableString('The maintenance window that paused it (null: an operator\'s pause)'),
  },
};

export const PARTNER_DETAILS_SCHEMA: SchemaObject = {
  type: 'object',
  required: [...(PARTNER_SCHEMA.required ?? []), 'certificates', 'certificates_total', 'certificate_link', 'message_stats', 'statistics', 'last_message_at', 'connection_status', 'traffic'],
  properties: {
    ...PARTNER_PROPERTIES,
    certificates: {
      type: 'array',
      items: PARTNER_CERTIFICATE_SCHEMA,
      description: 'Oldest first, at most 100: every certificate current in a slot, then the newest others, such as a slot\'s scheduled backup (GET /v1/partners/{id}/certificates pages them all)',
    },
    certificates_total: { type: 'integer', minimum: 0, description: 'How many certificates the partner holds' },
    certificate_link: {
      type: 'object',
      nullable: true,
      required: ['certificate_id', 'status', 'error'],
      description: 'The certificate_id the partner was created with (null: none): pending until the certificate service links it to the encryption and signature slots, or refused (error says why: CERTIFICATE_NOT_FOUND for a missing or another tenant\'s certificate)',
      properties: {
        certificate_id: { type: 'string' },
        status: { type: 'string', enum: ['pending', 'linked', 'refused'] },
        error: { type: 'object', nullable: true, required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
      },
    },
    message_stats: { type: 'object', nullable: true, additionalProperties: true, description: 'Filled by the traffic services; null until then' },
    statistics: {
      type: 'object',
      nullable: true,
      required: ['messages_sent', 'messages_received', 'success_rate', 'last_activity'],
      description: "message_stats in the names of seed 002's complete configuration object",
      properties: {
        messages_sent: { type: 'integer' },
        messages_received: { type: 'integer' },
        success_rate: { type: 'number', nullable: true },
        last_activity: nullableApiTimestampSchema(),
      },
    },
    last_message_at: nullableApiTimestampSchema(),
    connection_status: { type: 'object', nullable: true, additionalProperties: true, description: 'Filled by the connection tester; null until then' },
    traffic: {
      type: 'object',
      required: ['incoming', 'outgoing'],
      description: "Whether the partner's incoming and outgoing traffic is paused, as this tenant sees it",
      properties: { incoming: TRAFFIC_DIRECTION_SCHEMA, outgoing: TRAFFIC_DIRECTION_SCHEMA },
    },
  },
};

export const TENANT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['id', 'name', 'plan', 'partner_limit', 'notification_email', 'created_at', 'updated_at'],
  properties: {
    id: { type: 'string', example: 't1' },
    name: { type: 'string', example: 'Plant 1' },
    plan: { type: 'string', example: 'starter' },
    partner_limit: { type: 'integer', nullable: true, description: 'null: no limit' },
    notification_email: { type: 'string', format: 'email', nullable: true, description: "Blocked-message notices for partners without a station address; null: the configured default" },
    created_at: apiTimestampSchema(),
    updated_at: apiTimestampSchema(),
  },
};

const DELETED_SCHEMA: SchemaObject = { type: 'object', required: ['id', 'deleted_at'], properties: { id: { type: 'string' }, deleted_at: apiTimestampSchema() } };

export const OVERRIDE_STATE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['partner_id', 'master_partner_id', 'has_overrides', 'override_settings', 'updated_at'],
  properties: {
    partner_id: { type: 'string' },
    master_partner_id: nullableString(),
    has_overrides: { type: 'boolean' },
    override_settings: PARTNER_PROPERTIES['override_settings'] as SchemaObject,
    updated_at: apiTimestampSchema(),
  },
};

export const PARTNER_PAGE = pageOf(PARTNER_SCHEMA);
export const PARTNER_WRITTEN = dataOf(PARTNER_SCHEMA, true);
export const PARTNER_DETAILS = dataOf(PARTNER_DETAILS_SCHEMA);
export const PARTNER_READ = dataOf(PARTNER_SCHEMA);
export const DELETED = dataOf(DELETED_SCHEMA, true);
export const TENANT_PAGE = pageOf(TENANT_SCHEMA);
export const TENANT_WRITTEN = dataOf(TENANT_SCHEMA, true);
export const TENANT_READ = dataOf(TENANT_SCHEMA);
export const OVERRIDE_STATE = dataOf(OVERRIDE_STATE_SCHEMA);
export const OUTBOUND_AUTH = dataOf({
  type: 'object',
  required: ['partner_id', 'tenant', 'enabled', 'username', 'password'],
  properties: {
    partner_id: { type: 'string' },
    tenant: { type: 'string' },
    enabled: { type: 'boolean' },
    username: nullableString(),
    password: nullableString('In clear: for the sender only; never logged, stored or published'),
  },
});
