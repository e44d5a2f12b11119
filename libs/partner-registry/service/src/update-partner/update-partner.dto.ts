import { PartialType } from '@nestjs/swagger';
import { PartnerFieldsDto } from '../http/partner-settings.dto';

/** Every field optional; `as2_id` is not among them, so sending it is rejected as an unknown field. */
export class UpdatePartnerDto extends PartialType(PartnerFieldsDto) {}
