import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { CharacterLength, IsOptionalNotNull, PageQueryDto } from '@as2-partners/platform';
import { KEY_ALIAS_PATTERN } from '@as2-partners/certificate-lifecycle-domain';
import { SUBJECT_SYNTAX } from '../../api-conventions/certificate-lifecycle.openapi';

/** GET /v1/keys: pages as every list. */
export class KeyListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ minLength: 1, maxLength: 100, pattern: KEY_ALIAS_PATTERN.source, description: 'Only the keys of this alias' })
  @IsOptional()
  @Matches(KEY_ALIAS_PATTERN, { message: 'The alias must be 1-100 letters, digits, "-", "_" or "."' })
  alias?: string;
}

/** POST /v1/keys/{id}/csr */
export class CertificateRequestDto {
  @ApiPropertyOptional({ description: `${SUBJECT_SYNTAX}. Default: the subject of the key's certificate, its DER copied byte for byte`, example: 'CN=Acme AS2, O=Acme Corp, C=US' })
  // Absent takes the default; null is no subject at all.
  @IsOptionalNotNull()
  @IsString({ message: 'The subject must be a string' })
  @CharacterLength(0, 1024, { message: 'The subject may not be longer than 1024 characters' })
  subject?: string;
}
