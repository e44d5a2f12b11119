import type { EncryptAlgorithm, MdnMode, PartnershipOverridePatch, PartnershipOverrides, SignAlgorithm } from '@as2-partners/partner-registry-domain';
import type { PartnershipOverridesDto } from './partnership.dto';

/** API names to the domain's patch: undefined leaves a field, null removes its override. */
export function partnershipPatchFromDto(dto: PartnershipOverridesDto): PartnershipOverridePatch {
  const patch: Record<string, unknown> = {
    subject: dto.subject,
    mdnMode: dto.mdn_mode as MdnMode | null | undefined,
    sign: dto.sign,
    encrypt: dto.encrypt,
    compress: dto.compress,
    signAlgorithm: dto.sign_algorithm as SignAlgorithm | null | undefined,
    encryptAlgorithm: dto.encrypt_algorithm as EncryptAlgorithm | null | undefined,
  };
  return Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as PartnershipOverridePatch;
}

/** On create, a null is the same as absent: the partner's setting applies. */
export function partnershipOverridesFromDto(dto: PartnershipOverridesDto): PartnershipOverrides {
  return Object.fromEntries(Object.entries(partnershipPatchFromDto(dto)).filter(([, v]) => v !== null)) as PartnershipOverrides;
}
