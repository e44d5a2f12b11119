import { PartialType } from '@nestjs/swagger';
import { PartialUpdate } from '@as2-partners/platform';
import { PartnerFieldsDto } from '../../partner-settings/partner-settings.dto';

/** Every field optional, at least one given; `as2_id` is not among them, so sending it is rejected as an unknown field. */
@PartialUpdate()
// skipNullProperties false: a null is validated like any value, so only the settings that have null (algorithms, subject…) take it.
export class UpdatePartnerDto extends PartialType(PartnerFieldsDto, { skipNullProperties: false }) {}
