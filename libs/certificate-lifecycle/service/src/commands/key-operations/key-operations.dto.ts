import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBase64, IsDefined, IsIn, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { CharacterLength, IsAccountId, IsOptionalNotNull } from '@as2-partners/platform';
import { digestAlgorithms } from '@as2-partners/as2';
import { ACCOUNT_ID_PATTERN, TENANT_ID_MESSAGE, TENANT_ID_PATTERN } from '@as2-partners/kernel';

/** Scope fields for a gateway token that does not carry them itself (account `*`, or no tenant claim). */
abstract class KeyOperationScopeDto {
  @ApiPropertyOptional({
    // Named: the `string | null` union reflects as Object.
    type: String,
    minLength: 1,
    maxLength: 64,
    pattern: TENANT_ID_PATTERN.source,
    nullable: true,
    description: "The instance's tenant, for a gateway token without a tenant claim (a token with one may name only its own); null: the account's own keystore (an account-level AS2 instance, which every tenant inherits), for any gateway token of the account",
  })
  // null is a value here (the account's keystore), not a field left out.
  @IsOptional()
  @Matches(TENANT_ID_PATTERN, { message: TENANT_ID_MESSAGE })
  tenant?: string | null;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, pattern: ACCOUNT_ID_PATTERN.source, description: 'The instance\'s account, for a gateway token for every account (`*`); else it must be the token\'s' })
  @IsOptionalNotNull()
  @IsAccountId()
  account?: string;
}

/** POST /internal/v1/keys/{alias}/sign: `content` (a detached CMS signature comes back) or `signed_attributes` (the raw signature value). */
export class SignRequestDto extends KeyOperationScopeDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'The bytes to sign (the MIME entity of a multipart/signed body), base64: answered with a detached CMS SignedData; null: not given' })
  // One of two: a null is the field not given (the other one is), as a client sending both keys may say it.
  @IsOptional()
  @IsString({ message: 'The content must be a base64 string' })
  @IsBase64({}, { message: 'The content must be base64' })
  content?: string;

  @ApiPropertyOptional({
    description:
      'The DER SET OF CMS signed attributes (content-type, signing-time within 5 minutes of the keystore clock, message-digest), base64: answered with the RSA PKCS#1 v1.5 signature value and the certificate (the external-signer hook of libs/as2); null: not given',
    type: String,
    nullable: true,
  })
  @IsOptional()
  @IsString({ message: 'The signed_attributes must be a base64 string' })
  @IsBase64({}, { message: 'The signed_attributes must be base64' })
  @CharacterLength(0, 4096, { message: 'The signed_attributes are too large' })
  signed_attributes?: string;

  @ApiPropertyOptional({ enum: digestAlgorithms, default: 'sha256' })
  @IsOptionalNotNull()
  @IsIn([...digestAlgorithms], { message: `The algorithm must be one of: ${digestAlgorithms.join(', ')}` })
  algorithm?: (typeof digestAlgorithms)[number];
}

/** One RSA key-transport RecipientInfo of the message. */
export class KeyTransportRecipientDto {
  @ApiProperty({ description: 'DER of the RecipientIdentifier (IssuerAndSerialNumber or [0] SubjectKeyIdentifier), base64' })
  @IsString({ message: 'The recipient_identifier is required' })
  @IsBase64({}, { message: 'The recipient_identifier must be base64' })
  @CharacterLength(0, 4096, { message: 'The recipient_identifier is too large' })
  recipient_identifier!: string;

  @ApiProperty({ description: 'The RSA-encrypted content-encryption key, base64' })
  @IsString({ message: 'The encrypted_key is required' })
  @IsBase64({}, { message: 'The encrypted_key must be base64' })
  @CharacterLength(0, 1400, { message: 'The encrypted_key is too large (RSA up to 8192 bits)' })
  encrypted_key!: string;
}

export class KeyTransportDto {
  @ApiProperty({ type: [KeyTransportRecipientDto], minItems: 1, maxItems: 16 })
  @IsArray({ message: 'The recipients must be a list' })
  @ArrayMinSize(1, { message: 'The recipients must name at least one recipient' })
  @ArrayMaxSize(16, { message: 'The recipients may hold at most 16 entries' })
  @ValidateNested({ each: true })
  @Type(() => KeyTransportRecipientDto)
  recipients!: KeyTransportRecipientDto[];

  @ApiProperty({ enum: [16, 24, 32], description: 'Length of the content-encryption key: 16 (AES-128), 24 (AES-192, 3DES), 32 (AES-256)' })
  @IsDefined({ message: 'The key_length is required' })
  @IsIn([16, 24, 32], { message: 'The key_length must be 16, 24 or 32' })
  key_length!: number;
}

/** POST /internal/v1/keys/{alias}/decrypt: `enveloped` (the content comes back) or `key_transport` (the content-encryption key candidates). */
export class DecryptRequestDto extends KeyOperationScopeDto {
  @ApiPropertyOptional({ type: String, nullable: true, description: 'A CMS EnvelopedData (DER), base64: answered with the decrypted content; null: not given' })
  @IsOptional()
  @IsString({ message: 'The enveloped data must be a base64 string' })
  @IsBase64({}, { message: 'The enveloped data must be base64' })
  @MaxLength(1_400_000, { message: 'The enveloped data is too large' })
  enveloped?: string;

  @ApiPropertyOptional({ type: KeyTransportDto, description: 'The key transport of a message (the external-decryptor hook of libs/as2): answered with the unwrapped content-encryption key(s)' })
  @IsOptionalNotNull()
  @ValidateNested()
  @Type(() => KeyTransportDto)
  key_transport?: KeyTransportDto;
}
