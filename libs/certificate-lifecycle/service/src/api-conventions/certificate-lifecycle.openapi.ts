import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { CERTIFICATE_TYPES, CERTIFICATE_USAGES, DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES, KEY_ALIAS_PATTERN, SLOT_NAMES } from '@as2-partners/certificate-lifecycle-domain';
import { apiTimestampSchema, dataOf, nullableApiTimestampSchema, pageOf } from '@as2-partners/platform';
import { CONTROL_CHARACTER_RANGES } from '@as2-partners/kernel';

/** Response bodies of the certificate-lifecycle service (seeds 002 and 003), referenced by the controllers' @ApiResponse decorators. */

const string = (extra: SchemaObject = {}): SchemaObject => ({ type: 'string', ...extra });
const nullableString: SchemaObject = { type: 'string', nullable: true };
const WARNING: SchemaObject = { type: 'object', required: ['code', 'message'], properties: { code: string({ pattern: '^[A-Z][A-Z0-9_]*$' }), message: string() } };

const CHAIN_MEMBER: SchemaObject = {
  type: 'object',
  required: ['subject', 'issuer', 'serial', 'not_before', 'expires_at', 'fingerprint_sha256', 'pem'],
  properties: { subject: string(), issuer: string(), serial: string(), not_before: apiTimestampSchema(), expires_at: apiTimestampSchema(), fingerprint_sha256: string(), pem: string() },
};

const CERTIFICATE_PROPERTIES: Record<string, SchemaObject> = {
  id: string({ example: 'cert_01HQ3K4N5M6P7Q8R9S0T1U2V3W' }),
  name: string({ example: 'Acme 2025' }),
  usage: string({ enum: [...CERTIFICATE_USAGES] }),
  type: { type: 'string', enum: [...CERTIFICATE_TYPES, null], nullable: true },
  scope: string({ enum: ['account', 'tenant'] }),
  subject: string({ example: 'CN=Acme AS2' }),
  issuer: string(),
  serial: string(),
  not_before: apiTimestampSchema(),
  expires_at: apiTimestampSchema(),
  fingerprint_sha1: string(),
  fingerprint_sha256: string(),
  key_algorithm: string({ example: 'RSA' }),
  key_size: { type: 'integer' },
  signature_algorithm: string(),
  key_usage: { type: 'array', items: string(), nullable: true, description: 'null: the certificate has no key usage extension' },
  extended_key_usage: { type: 'array', items: string(), nullable: true },
  is_ca: { type: 'boolean' },
  self_signed: { type: 'boolean' },
  chain: { type: 'array', items: CHAIN_MEMBER },
  pem: string({ description: 'The certificate (public material only)' }),
  active: { type: 'boolean' },
  partner_ids: { type: 'array', items: string() },
  used_by: { type: 'array', items: { type: 'object', required: ['partner_id', 'slot', 'role'], properties: { partner_id: string(), slot: string(), role: string() } } },
  expiry_notice_days: { type: 'integer', nullable: true, description: 'Days before expiry a notice is sent; null: the default' },
  created_at: apiTimestampSchema(),
};

export const CERTIFICATE_SCHEMA: SchemaObject = { type: 'object', required: Object.keys(CERTIFICATE_PROPERTIES), properties: CERTIFICATE_PROPERTIES };

/** A certificate in slots and the trust state; every field null when the certificate is no longer visible. */
const CERTIFICATE_SUMMARY: SchemaObject = {
  type: 'object',
  nullable: true,
  required: ['id', 'name', 'usage', 'type', 'subject', 'not_before', 'expires_at', 'fingerprint_sha256', 'active'],
  properties: {
    id: string(),
    name: nullableString,
    usage: { type: 'string', enum: [...CERTIFICATE_USAGES, null], nullable: true },
    type: { type: 'string', enum: [...CERTIFICATE_TYPES, null], nullable: true },
    subject: nullableString,
    not_before: nullableApiTimestampSchema(),
    expires_at: nullableApiTimestampSchema(),
    fingerprint_sha256: nullableString,
    active: { type: 'boolean' },
  },
};

const SLOT: SchemaObject = {
  type: 'object',
  required: ['current', 'backup', 'accepted_for_receiving'],
  properties: {
    current: CERTIFICATE_SUMMARY,
    backup: { type: 'object', nullable: true, required: ['certificate', 'activate_on'], properties: { certificate: CERTIFICATE_SUMMARY, activate_on: apiTimestampSchema() } },
    accepted_for_receiving: { type: 'array', items: string() },
    use_different: { type: 'boolean', description: 'signature slot only' },
  },
};

export const SLOTS_SCHEMA: SchemaObject = { type: 'object', required: [...SLOT_NAMES], properties: Object.fromEntries(SLOT_NAMES.map((name) => [name, SLOT])) };

const TRUST_STATE_PROPERTIES: Record<string, SchemaObject> = {
  partner_id: string(),
  current: { type: 'object', required: [...SLOT_NAMES], properties: Object.fromEntries(SLOT_NAMES.map((name) => [name, CERTIFICATE_SUMMARY])) },
  next: {
    type: 'object',
    nullable: true,
    required: ['certificate', 'activate_at', 'overlap_until', 'slots'],
    properties: { certificate: CERTIFICATE_SUMMARY, activate_at: apiTimestampSchema(), overlap_until: apiTimestampSchema(), slots: { type: 'array', items: string({ enum: [...SLOT_NAMES] }) } },
  },
  overlap: {
    type: 'object',
    nullable: true,
    required: ['previous', 'until', 'open'],
    properties: {
      previous: { type: 'array', items: { type: 'object', required: ['slot', 'certificate_id'], properties: { slot: string({ enum: [...SLOT_NAMES] }), certificate_id: string() } } },
      until: apiTimestampSchema(),
      open: { type: 'boolean' },
    },
  },
  next_step: { type: 'object', required: ['action', 'at'], properties: { action: string(), at: nullableApiTimestampSchema() }, additionalProperties: true },
  warnings: {
    type: 'array',
    items: WARNING,
    description:
      'CURRENT_CERTIFICATE_INACTIVE, BACKUP_CERTIFICATE_INACTIVE, NEXT_CERTIFICATE_INACTIVE, CURRENT_CERTIFICATE_EXPIRED, CURRENT_CERTIFICATE_EXPIRING, NEXT_CERTIFICATE_EXPIRES_IN_WINDOW, ACTIVATION_OVERDUE, OVERLAP_CLOSED_NOT_RETIRED, SIGNATURE_CERTIFICATE_UNFIT (the signature slot follows an encryption certificate whose keyUsage allows no signature), CERTIFICATE_KEY_TOO_SMALL (an RSA key below what the partner\'s signing algorithm requires now: SHA1withRSA 1024 bits, others 2048)',
  },
  slots: SLOTS_SCHEMA,
};

const TRUST_STATE: SchemaObject = { type: 'object', required: Object.keys(TRUST_STATE_PROPERTIES), properties: TRUST_STATE_PROPERTIES };

const EVIDENCE: SchemaObject = {
  type: 'object',
  required: ['document', 'sha256', 'timestamp_token', 'tsa_certificate', 'tsa_url', 'gen_time'],
  properties: {
    document: string({ description: 'The evidence document (JSON text) whose SHA-256 the TSA stamped' }),
    sha256: string({ pattern: '^[0-9a-f]{64}$' }),
    timestamp_token: string({ format: 'byte', description: 'RFC 3161 TimeStampToken, base64 DER' }),
    tsa_certificate: string({ description: 'PEM' }),
    tsa_url: nullableString,
    gen_time: apiTimestampSchema('The TSA time'),
  },
};

const ACTIVATION: SchemaObject = {
  type: 'object',
  nullable: true,
  required: ['certificate_id', 'activated_at', 'trigger', 'evidence'],
  properties: {
    certificate_id: string(),
    activated_at: apiTimestampSchema(),
    trigger: { type: 'object', required: ['type', 'actor'], properties: { type: string({ enum: ['manual', 'scheduler'] }), actor: string({ description: 'The user (JWT subject), or the scheduler instance' }) } },
    evidence: EVIDENCE,
  },
};

const TIMELINE_EVENT: SchemaObject = {
  type: 'object',
  required: ['id', 'type', 'occurred_at', 'actor', 'correlation_id', 'stream', 'position', 'data', 'evidence'],
  properties: {
    id: string(),
    type: string({ example: 'trust.activated.v1' }),
    occurred_at: apiTimestampSchema(),
    actor: { type: 'object', required: ['type', 'id'], properties: { type: string(), id: string() } },
    correlation_id: string(),
    stream: string(),
    position: { type: 'integer' },
    data: { type: 'object', additionalProperties: true, description: "The event's data in the API's field names (PEM text left out)" },
    evidence: { ...EVIDENCE, nullable: true },
  },
};

export const CERTIFICATE_UPLOADED: SchemaObject = {
  type: 'object',
  required: ['message', 'data', 'warnings'],
  properties: {
    message: string(),
    data: CERTIFICATE_SCHEMA,
    warnings: { type: 'array', items: WARNING, description: 'What was accepted anyway: SHA1_SIGNATURE, CA_CERTIFICATE_AS_END_ENTITY, WEAK_RSA_KEY, DUPLICATE_CERTIFICATE, CERTIFICATE_NOT_VALID_NOW, CHAIN_CERTIFICATE_NOT_VALID' },
  },
};

export const CERTIFICATE_PAGE = pageOf(CERTIFICATE_SCHEMA);
export const CERTIFICATE_READ = dataOf(CERTIFICATE_SCHEMA);
export const CERTIFICATE_USAGE = dataOf({
  type: 'object',
  required: ['certificate_id', 'in_use', 'partner_ids', 'used_by'],
  properties: { certificate_id: string(), in_use: { type: 'boolean' }, partner_ids: CERTIFICATE_PROPERTIES['partner_ids'] as SchemaObject, used_by: CERTIFICATE_PROPERTIES['used_by'] as SchemaObject },
});
/** A deletion's answer (seed 002): the message, the id and when it was deleted (a retry with its Idempotency-Key: the same). */
const DELETED: SchemaObject = {
  type: 'object',
  required: ['message', 'data'],
  properties: { message: string(), data: { type: 'object', required: ['id', 'deleted_at'], properties: { id: string(), deleted_at: apiTimestampSchema() } } },
};
export const CERTIFICATE_DELETED = DELETED;
export const SLOTS_READ = dataOf(SLOTS_SCHEMA);
export const SLOTS_WRITTEN = dataOf(SLOTS_SCHEMA, true);
export const TRUST_READ = dataOf(TRUST_STATE);
export const TRUST_WRITTEN = dataOf(TRUST_STATE, true);
export const TRUST_ACTIVATED = dataOf({ type: 'object', required: [...(TRUST_STATE.required ?? []), 'activation'], properties: { ...TRUST_STATE_PROPERTIES, activation: ACTIVATION } }, true);
export const TRUST_RETIRED = dataOf(
  { type: 'object', required: [...(TRUST_STATE.required ?? []), 'retired_certificate_ids'], properties: { ...TRUST_STATE_PROPERTIES, retired_certificate_ids: { type: 'array', items: string() } } },
  true,
);
export const TIMELINE_PAGE = pageOf(TIMELINE_EVENT);

/** The upload routes' bodies: multipart/form-data (seed 002) or JSON with the PEM text. */
export const CERTIFICATE_UPLOAD_BODY: SchemaObject = {
  type: 'object',
  // Another part or field is refused (422, the field not allowed), as on every other route.
  additionalProperties: false,
  required: ['name', 'usage', 'certificate'],
  properties: {
    // No control character anywhere (line breaks, tabs, escapes, NUL: 422), as the form reader refuses them.
    name: string({ minLength: 1, maxLength: 255, pattern: `^[^\\s\\ufeff${CONTROL_CHARACTER_RANGES}][^${CONTROL_CHARACTER_RANGES}]*$`, example: 'Acme 2025' }),
    usage: string({ enum: [...CERTIFICATE_USAGES], example: 'both' }),
    type: string({ enum: [...CERTIFICATE_TYPES] }),
    certificate: string({ format: 'binary', minLength: 1, description: `PEM, DER or a PEM bundle (leaf first); at most ${DEFAULT_MAX_CERTIFICATE_UPLOAD_BYTES / 1024} KiB (422 CERTIFICATE_TOO_LARGE)` }),
  },
};
export const CERTIFICATE_UPLOAD_JSON_BODY: SchemaObject = {
  ...CERTIFICATE_UPLOAD_BODY,
  properties: { ...CERTIFICATE_UPLOAD_BODY.properties, certificate: string({ minLength: 1, description: 'PEM text (or a PEM bundle, leaf first)' }) },
};

export const CERTIFICATE_UPLOAD_REQUEST_BODY = {
  required: true,
  content: {
    'multipart/form-data': { schema: CERTIFICATE_UPLOAD_BODY, encoding: { certificate: { contentType: 'application/x-pem-file, application/pkix-cert, application/octet-stream' } } },
    'application/json': { schema: CERTIFICATE_UPLOAD_JSON_BODY },
  },
};

/** One of our keys (GET /v1/keys/{id}): public certificate facts, never key material. */
const OUR_KEY: SchemaObject = {
  type: 'object',
  required: [
    'id', 'type', 'alias', 'status', 'usage', 'source', 'key_algorithm', 'key_size', 'subject', 'issuer', 'serial', 'not_before', 'expires_at', 'fingerprint_sha1', 'fingerprint_sha256',
    'self_signed', 'chain_length', 'activate_at', 'overlap_until', 'activated_at', 'expiry_notice_days', 'used_by', 'used_by_total', 'created_at',
  ],
  properties: {
    id: string({ example: 'key_01HQ3K4N5M6P7Q8R9S0T1U2V3W' }),
    type: string({ enum: ['tenant', 'inherited', 'master'], description: "tenant: the tenant's own key; inherited: the account's, read-only for the tenant; master: the account's, as its admin sees it" }),
    alias: string(),
    status: string({ enum: ['current', 'next', 'previous', 'retired'] }),
    usage: string({ enum: ['sign_and_decrypt', 'decrypt', 'none'] }),
    source: string({ enum: ['generated', 'pkcs12', 'pem'] }),
    key_algorithm: string(),
    key_size: { type: 'integer' },
    subject: string(),
    issuer: string(),
    serial: string(),
    not_before: apiTimestampSchema(),
    expires_at: apiTimestampSchema(),
    fingerprint_sha1: string(),
    fingerprint_sha256: string(),
    self_signed: { type: 'boolean' },
    chain_length: { type: 'integer', minimum: 0 },
    activate_at: nullableApiTimestampSchema(),
    overlap_until: nullableApiTimestampSchema(),
    activated_at: nullableApiTimestampSchema(),
    expiry_notice_days: { type: 'integer', nullable: true },
    used_by: {
      type: 'array',
      description: 'The AS2 instances that sign and decrypt with the alias, the first 100',
      items: { type: 'object', required: ['instance_id', 'my_as2_id'], properties: { instance_id: string(), my_as2_id: string() } },
    },
    used_by_total: { type: 'integer', minimum: 0, description: 'How many AS2 instances sign and decrypt with the alias' },
    created_at: apiTimestampSchema(),
  },
};

export const KEY_PAGE = pageOf(OUR_KEY);
export const KEY_READ = dataOf(OUR_KEY);
export const KEY_WRITTEN = dataOf(OUR_KEY, true);
/** Seed 002's deletion answer: the id and when it was deleted. */
export const KEY_DELETED = DELETED;
export const KEY_CSR = dataOf({
  type: 'object',
  required: ['key_id', 'alias', 'subject', 'csr', 'current'],
  properties: { key_id: string(), alias: string(), subject: string(), csr: string({ description: 'PKCS#10, PEM' }), current: { type: 'boolean' } },
});
/** GET /v1/keys/{id}/certificate: the public certificate, PEM (with its chain) or DER. */
export const KEY_CERTIFICATE_CONTENT = {
  'application/x-pem-file': { schema: string({ description: 'The certificate and its chain, PEM' }) },
  'application/pkix-cert': { schema: string({ format: 'binary', description: 'The certificate, DER' }) },
};
export const KEY_SIGNED = dataOf({
  type: 'object',
  required: ['key_id', 'certificate_fingerprint_sha256'],
  description: 'signature for a content request; signature_value and certificates for a signed_attributes request',
  properties: {
    signature: string({ format: 'byte', description: 'Detached CMS SignedData, DER, base64' }),
    signature_value: string({ format: 'byte', description: 'RSA PKCS#1 v1.5 signature over the signed attributes, base64' }),
    certificates: { type: 'array', items: string({ format: 'byte', description: 'DER certificates, base64: the key\'s, then its issuers (leaf\'s issuer first)' }) },
    key_id: string(),
    certificate_fingerprint_sha256: string(),
  },
});
export const KEY_DECRYPTED = dataOf({
  type: 'object',
  description: 'content, key_id and cipher for an enveloped request; candidates, matched and certificates for a key_transport request',
  properties: {
    content: string({ format: 'byte' }),
    key_id: string(),
    cipher: string(),
    candidates: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'key_id', 'certificate_fingerprint_sha256'],
        properties: { key: string({ format: 'byte', description: 'A content-encryption key to try (a wrong key of ours gives random bytes)' }), key_id: string(), certificate_fingerprint_sha256: string() },
      },
    },
    matched: { type: 'boolean', description: 'Whether a recipient named one of the alias\'s certificates' },
    certificates: { type: 'array', items: string({ format: 'byte' }) },
  },
});

/** How a subject is written (key-material's parseSubject). */
export const SUBJECT_SYNTAX =
  "RFC 4514, most specific RDN first: CN, O, OU, C, L, ST, E; '\\' escapes , + \\ \" ; < > # = and a space, hex pairs (\\C3\\A9) are UTF-8 bytes; NAME=a+NAME=b is one multi-valued RDN";
const KEY_GENERATE: SchemaObject = {
  type: 'object',
  additionalProperties: false,
  required: ['key_size', 'subject', 'valid_days'],
  properties: { algorithm: string({ enum: ['RSA'], default: 'RSA', description: 'RSA, the only algorithm AS2 signs and decrypts with here (the default)' }), key_size: { type: 'integer', enum: [2048, 3072, 4096] }, subject: string({ description: SUBJECT_SYNTAX, example: 'CN=Acme AS2, O=Acme Corp, C=US' }), valid_days: { type: 'integer', minimum: 1, maximum: 3650 } },
};
const keyRequestBody = (purpose: 'create' | 'rollover'): SchemaObject => ({
  type: 'object',
  additionalProperties: false,
  required: purpose === 'create' ? ['alias'] : ['activate_at', 'overlap_until'],
  description: 'Exactly one of generate, pkcs12 (with password), private_key (with certificate)',
  properties: {
    ...(purpose === 'create' ? { alias: string({ minLength: 1, maxLength: 100, pattern: `(?!\\.{1,2}$)${KEY_ALIAS_PATTERN.source}`, description: 'Letters, digits, ".", "-" and "_" (not "." or ".."): 422 INVALID_KEY_ALIAS', example: 'acme-signing' }) } : {}),
    generate: KEY_GENERATE,
    pkcs12: string({ description: 'The PKCS#12 file, base64 (JSON) or the file (multipart)' }),
    password: string({ description: 'Never stored or returned' }),
    private_key: string({ description: 'PEM' }),
    certificate: string({ description: 'PEM chain' }),
    ...(purpose === 'rollover' ? { activate_at: string({ format: 'date-time' }), overlap_until: string({ format: 'date-time' }) } : {}),
  },
});
/** The files of a key request as multipart parts (a file picker in Swagger UI): the PKCS#12 file as it is, the PEM files or their text. */
const KEY_FILE_PARTS: Record<string, SchemaObject> = {
  pkcs12: string({ format: 'binary', description: 'The PKCS#12 file (a file part; a text field takes its base64)' }),
  private_key: string({ format: 'binary', description: 'The private key, PEM (a file part or a text field)' }),
  certificate: string({ format: 'binary', description: 'The certificate chain, PEM (a file part or a text field)' }),
};
/** Multipart has no nested object: no generate; the files as files. */
const asMultipart = (schema: SchemaObject): SchemaObject => ({
  ...schema,
  properties: Object.fromEntries(Object.entries(schema.properties ?? {}).filter(([name]) => name !== 'generate').map(([name, property]) => [name, KEY_FILE_PARTS[name] ?? property])),
});
export const keyRequestBodyOf = (purpose: 'create' | 'rollover') => ({
  required: true,
  content: { 'application/json': { schema: keyRequestBody(purpose) }, 'multipart/form-data': { schema: asMultipart(keyRequestBody(purpose)) } },
});
