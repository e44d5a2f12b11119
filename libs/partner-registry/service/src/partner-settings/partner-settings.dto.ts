import { ENCRYPT_ALGORITHMS, MDN_MODES, SIGN_ALGORITHMS } from '@as2-partners/partner-registry-domain';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsDefined, IsIn, IsOptional, IsString, Matches, NotContains, ValidateNested } from 'class-validator';
import { CharacterLength, IsOptionalNotNull, IntegerBetween } from '@as2-partners/platform';
import { CONTROL_CHARACTER_RANGES } from '@as2-partners/kernel';
import { MAX_FIREWALL_RANGES } from '@as2-partners/partner-registry-domain';
import { EMAIL_PATTERN, IsAs2Id, IsCidr, IsEmailAddress, IsHeaderSafeText, IsHttpsEndpoint, IsRequiredText } from './partner-field.validators';

/**
 * What the validators accept, as patterns for the OpenAPI document: the same syntax (documented-patterns.unit.spec.ts),
 * so a client that checks the schema refuses what the server refuses and takes what it takes; a rule beyond syntax (an
 * endpoint's address policy) is in the field's description.
 */
const HEADER_SAFE = `[^${CONTROL_CHARACTER_RANGES}]`;
export const HEADER_SAFE_TEXT = `^${HEADER_SAFE}+$`;
/** Header-safe text with at least one character that is not blank (IsRequiredText trims, IsHeaderSafeText refuses control characters). */
export const HEADER_SAFE_NON_BLANK = `^${HEADER_SAFE}*[^\\s\\ufeff${CONTROL_CHARACTER_RANGES}]${HEADER_SAFE}*$`;
/** An IPv4 or IPv6 range in CIDR notation, as isCidr accepts it. */
const IPV4_OCTET = '(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])';
const IPV4_ADDRESS = `${IPV4_OCTET}(\\.${IPV4_OCTET}){3}`;
const H16 = '[0-9a-fA-F]{1,4}';
/** RFC 3986's IPv6address: eight groups, a `::` standing for some, and the last two groups written as an IPv4 address or not. */
const IPV6_ADDRESS = [
  `(${H16}:){7}${H16}`,
  `(${H16}:){1,7}:`,
  `(${H16}:){1,6}:${H16}`,
  `(${H16}:){1,5}(:${H16}){1,2}`,
  `(${H16}:){1,4}(:${H16}){1,3}`,
  `(${H16}:){1,3}(:${H16}){1,4}`,
  `(${H16}:){1,2}(:${H16}){1,5}`,
  `${H16}:(:${H16}){1,6}`,
  `:((:${H16}){1,7}|:)`,
  `(${H16}:){6}${IPV4_ADDRESS}`,
  `::(${H16}:){5}${IPV4_ADDRESS}`,
  `(${H16})?::(${H16}:){4}${IPV4_ADDRESS}`,
  `((${H16}:){0,1}${H16})?::(${H16}:){3}${IPV4_ADDRESS}`,
  `((${H16}:){0,2}${H16})?::(${H16}:){2}${IPV4_ADDRESS}`,
  `((${H16}:){0,3}${H16})?::${H16}:${IPV4_ADDRESS}`,
  `((${H16}:){0,4}${H16})?::${IPV4_ADDRESS}`,
].join('|');
export const CIDR_PATTERN = `^(${IPV4_ADDRESS}/([0-9]|[12][0-9]|3[0-2])|(${IPV6_ADDRESS})/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))$`;
const BASIC_AUTH_USERNAME = `^[^${CONTROL_CHARACTER_RANGES}:]+$`;
/** One label of a host name as isHttpsUrl takes it: ASCII letters, digits, `-`, `_`, and any other script's letters (IDN). */
const HOST_LABEL = '[A-Za-z0-9_\\u00a1-\\u167f\\u1681-\\u1fff\\u200b-\\u2027\\u2030-\\u205e\\u2060-\\u2065\\u206a-\\u2fff\\u3001-\\ufefe\\uff00-\\uffff-]+';
/**
 * isHttpsUrl's syntax: `https://` (any case), a host name of non-empty labels (one trailing dot allowed) or a bracketed
 * IPv6 address, an optional port, then a path, query or fragment without whitespace, backslashes or control characters.
 * Which addresses may be reached is not syntax: one that is not public is refused all the same (INVALID_ENDPOINT_URL).
 */
export const HTTPS_ENDPOINT_PATTERN = `^[Hh][Tt][Tt][Pp][Ss]://(\\[[0-9A-Fa-f:.]+\\]|${HOST_LABEL}(\\.${HOST_LABEL})*\\.?)(:[0-9]{1,5})?([/?#][^\\s\\\\${CONTROL_CHARACTER_RANGES}]*)?$`;

const UNSUPPORTED_ALGORITHM = { code: 'UNSUPPORTED_ALGORITHM' };

export class MdnOptionsDto {
  @ApiPropertyOptional({ enum: MDN_MODES, description: "mdn_mode, as seed 002's complete configuration object groups it: send either, not two different values" })
  @IsOptionalNotNull()
  @IsIn(MDN_MODES, { message: 'The selected MDN mode is invalid' })
  mode?: string;

  @ApiPropertyOptional({ type: String, description: 'Where asynchronous MDNs go (https)', nullable: true, maxLength: 2048, pattern: HTTPS_ENDPOINT_PATTERN })
  @IsOptional()
  @IsHttpsEndpoint({ message: 'The MDN URL must be a valid HTTPS endpoint' })
  url?: string | null;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The MDN signed field must be true or false' })
  signed?: boolean;

  @ApiPropertyOptional({ enum: SIGN_ALGORITHMS, nullable: true })
  @IsOptional()
  @IsIn(SIGN_ALGORITHMS, { message: 'The selected MDN algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  algorithm?: string | null;
}

const SECONDS = { one: 'second', many: 'seconds' };

export class ConnectionOptionsDto {
  @ApiPropertyOptional({ type: 'integer', default: 60, minimum: 1, maximum: 3600 })
  @IsOptionalNotNull()
  @IntegerBetween('timeout', 1, 3600, SECONDS)
  timeout_seconds?: number;

  @ApiPropertyOptional({ type: 'integer', default: 3, minimum: 0, maximum: 20 })
  @IsOptionalNotNull()
  @IntegerBetween('retry attempts', 0, 20)
  retry_attempts?: number;

  @ApiPropertyOptional({ type: 'integer', default: 300, minimum: 1, maximum: 86400 })
  @IsOptionalNotNull()
  @IntegerBetween('retry interval', 1, 86400, SECONDS)
  retry_interval_seconds?: number;
}

/** Seed 002's complete configuration object groups these five settings: they or the flat fields may be sent, not two different values. */
export class SecurityOptionsDto {
  @ApiPropertyOptional({ description: 'sign' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The security sign field must be true or false' })
  sign?: boolean;

  @ApiPropertyOptional({ description: 'encrypt' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The security encrypt field must be true or false' })
  encrypt?: boolean;

  @ApiPropertyOptional({ description: 'compress' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The security compress field must be true or false' })
  compress?: boolean;

  @ApiPropertyOptional({ enum: SIGN_ALGORITHMS, nullable: true, description: 'sign_algorithm' })
  @IsOptional()
  @IsIn(SIGN_ALGORITHMS, { message: 'The selected signing algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  sign_algorithm?: string | null;

  @ApiPropertyOptional({ enum: ENCRYPT_ALGORITHMS, nullable: true, description: 'encrypt_algorithm' })
  @IsOptional()
  @IsIn(ENCRYPT_ALGORITHMS, { message: 'The selected encryption algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  encrypt_algorithm?: string | null;
}

/** Outbound HTTP basic auth; the password is write-only (sealed at once, answered as `has_password`). */
export class HttpAuthDto {
  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The HTTP auth enabled field must be true or false' })
  enabled?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 255, pattern: BASIC_AUTH_USERNAME })
  @IsOptional()
  @IsString({ message: 'The HTTP auth username must be a string' })
  @CharacterLength(1, 255, { message: 'The HTTP auth username must be between 1 and 255 characters' })
  @IsHeaderSafeText('HTTP auth username')
  // RFC 7617 §2: Basic auth splits user-id and password at the first colon.
  @NotContains(':', { message: 'The HTTP auth username must not contain a colon', context: { code: 'INVALID_PARTNER_SETTING' } })
  username?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, writeOnly: true, minLength: 1, maxLength: 1024, pattern: HEADER_SAFE_TEXT, description: 'Never returned; null removes it' })
  @IsOptional()
  @IsString({ message: 'The HTTP auth password must be a string' })
  @CharacterLength(1, 1024, { message: 'The HTTP auth password must be between 1 and 1024 characters' })
  // RFC 7617 §2: neither user-id nor password may contain control characters.
  @IsHeaderSafeText('HTTP auth password')
  password?: string | null;
}

/** Seed 003's inbound firewall: when enabled, only these source ranges may deliver as the partner. */
export class FirewallDto {
  @ApiProperty({ description: 'Whether the allow-list is enforced' })
  @IsDefined({ message: 'The firewall enabled field is required' })
  @IsBoolean({ message: 'The firewall enabled field must be true or false' })
  enabled!: boolean;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', maxLength: 64, pattern: CIDR_PATTERN }, maxItems: MAX_FIREWALL_RANGES, example: ['203.0.113.0/24', '2001:db8::/32'] })
  @IsOptionalNotNull()
  @IsArray({ message: 'The firewall allowed IPs must be a list of CIDR ranges' })
  @ArrayMaxSize(MAX_FIREWALL_RANGES, { message: `The firewall may allow at most ${MAX_FIREWALL_RANGES} ranges` })
  @IsCidr({ each: true })
  allowed_ips?: string[];
}

/** Fields a partner's creator sets (the update DTO derives from it without `as2_id`). */
@ApiExtraModels(FirewallDto)
export class PartnerFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 255, pattern: HEADER_SAFE_NON_BLANK, example: 'Acme Corporation' })
  @IsRequiredText('name', 255)
  @IsHeaderSafeText('name')
  name!: string;

  @ApiProperty({ maxLength: 2048, pattern: HTTPS_ENDPOINT_PATTERN, example: 'https://acme.example.com/as2', description: 'The partner\'s AS2 endpoint (https); an address that is not public is refused (INVALID_ENDPOINT_URL)' })
  @IsDefined({ message: 'The URL field is required' })
  @IsHttpsEndpoint()
  url!: string;

  @ApiPropertyOptional({ default: true })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The active field must be true or false' })
  active?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The sign field must be true or false' })
  sign?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The encrypt field must be true or false' })
  encrypt?: boolean;

  @ApiPropertyOptional({ default: false })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The compress field must be true or false' })
  compress?: boolean;

  @ApiPropertyOptional({ enum: MDN_MODES, default: 'async' })
  @IsOptionalNotNull()
  @IsIn(MDN_MODES, { message: 'The selected MDN mode is invalid' })
  mdn_mode?: string;

  @ApiPropertyOptional({ enum: SIGN_ALGORITHMS, nullable: true })
  @IsOptional()
  @IsIn(SIGN_ALGORITHMS, { message: 'The selected signing algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  sign_algorithm?: string | null;

  @ApiPropertyOptional({ enum: ENCRYPT_ALGORITHMS, nullable: true })
  @IsOptional()
  @IsIn(ENCRYPT_ALGORITHMS, { message: 'The selected encryption algorithm is invalid', context: UNSUPPORTED_ALGORITHM })
  encrypt_algorithm?: string | null;

  @ApiPropertyOptional({ type: String, format: 'email', nullable: true, maxLength: 254, pattern: EMAIL_PATTERN, description: 'Contact email for AS2 notifications' })
  @IsOptional()
  @IsEmailAddress('The email must be a valid email address')
  @CharacterLength(0, 254, { message: 'The email may not be greater than 254 characters' })
  @IsHeaderSafeText('email')
  email?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 255, pattern: HEADER_SAFE_TEXT, description: 'Subject of outbound AS2 messages' })
  @IsOptional()
  @IsString({ message: 'The subject must be a string' })
  @CharacterLength(1, 255, { message: 'The subject must be between 1 and 255 characters' })
  @IsHeaderSafeText('subject')
  subject?: string | null;

  @ApiPropertyOptional({ type: SecurityOptionsDto, description: "sign, encrypt, compress and the two algorithms grouped, as seed 002's complete configuration object shows them" })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => SecurityOptionsDto)
  security?: SecurityOptionsDto;

  @ApiPropertyOptional({ type: MdnOptionsDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => MdnOptionsDto)
  mdn?: MdnOptionsDto;

  @ApiPropertyOptional({ type: ConnectionOptionsDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => ConnectionOptionsDto)
  connection?: ConnectionOptionsDto;

  @ApiPropertyOptional({ type: HttpAuthDto })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => HttpAuthDto)
  http_auth?: HttpAuthDto;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 64, description: "One of the tenant's stations (seed 003 `station`); the partner then needs an email" })
  @IsOptional()
  @IsString({ message: 'The station id must be a string' })
  @CharacterLength(1, 64, { message: 'The station id must be between 1 and 64 characters' })
  station_id?: string | null;

  @ApiPropertyOptional({
    oneOf: [{ $ref: getSchemaPath(FirewallDto) }, { type: 'boolean' }],
    description: "The firewall, or seed 003's boolean (its enabled field alone). A patch without allowed_ips keeps the list; a new partner's is empty",
  })
  @IsOptionalNotNull()
  // After @Type: a boolean is turned into the DTO itself, so the whitelist knows its fields.
  @Transform(({ value }) => (typeof value === 'boolean' ? Object.assign(new FirewallDto(), { enabled: value }) : value))
  @ValidateNested()
  @Type(() => FirewallDto)
  firewall?: FirewallDto;

  @ApiPropertyOptional({ type: Boolean, description: 'Seed 003 alias of http_auth.enabled' })
  @IsOptionalNotNull()
  @IsBoolean({ message: 'The auth field must be true or false' })
  auth?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, minLength: 1, maxLength: 255, pattern: BASIC_AUTH_USERNAME, description: 'Seed 003 alias of http_auth.username' })
  @IsOptional()
  @IsString({ message: 'The auth user must be a string' })
  @CharacterLength(1, 255, { message: 'The auth user must be between 1 and 255 characters' })
  @IsHeaderSafeText('auth user')
  @NotContains(':', { message: 'The auth user must not contain a colon', context: { code: 'INVALID_PARTNER_SETTING' } })
  auth_user?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, writeOnly: true, minLength: 1, maxLength: 1024, pattern: HEADER_SAFE_TEXT, description: 'Seed 003 alias of http_auth.password: never returned' })
  @IsOptional()
  @IsString({ message: 'The auth password must be a string' })
  @CharacterLength(1, 1024, { message: 'The auth password must be between 1 and 1024 characters' })
  @IsHeaderSafeText('auth password')
  auth_password?: string | null;
}

/** A certificate id of the certificate store (certificate-lifecycle): `cert_` + a ULID. */
const CERTIFICATE_ID_PATTERN = /^cert_[0-9A-HJKMNP-TV-Z]{26}$/;

export class CreatePartnerDto extends PartnerFieldsDto {
  @ApiProperty({ minLength: 1, maxLength: 50, pattern: '^[A-Za-z0-9_-]{1,50}$', example: 'ACME-CORP-AS2' })
  @IsDefined({ message: 'The AS2 ID field is required' })
  @IsAs2Id()
  as2_id!: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    pattern: CERTIFICATE_ID_PATTERN.source,
    example: 'cert_01HQ3K4N5M6P7Q8R9S0T1U2V3W',
    description: "Seed 003: a certificate already in the certificate store (the tenant's or the account's), linked to the encryption and signature slots after the create; details.certificate_link shows the outcome",
  })
  @IsOptional()
  @IsString({ message: 'The certificate id must be a string' })
  @Matches(CERTIFICATE_ID_PATTERN, { message: 'The certificate id must be cert_ followed by 26 characters (a certificate of the certificate store)' })
  certificate_id?: string | null;
}
