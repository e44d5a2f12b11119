import { ACCOUNT_ID_PATTERN, TENANT_ID_MESSAGE, TENANT_ID_PATTERN } from '@as2-partners/kernel';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsIn, isISO8601, IsString, Matches, ValidateNested } from 'class-validator';
import { CharacterLength, DATE_TIME_WITH_OFFSET, IsAccountId, IsOptionalNotNull, propertyRule } from '@as2-partners/platform';
import { IsAs2Id, IsHeaderSafeText } from '../../partner-settings/partner-field.validators';
import { AS2_ID_PATTERN } from '@as2-partners/partner-registry-domain';
import { HEADER_SAFE_TEXT } from '../../partner-settings/partner-settings.dto';
import { MESSAGE_DIRECTIONS, MESSAGE_STATUSES } from '../../queries/message-stats/message-outcome.document';

/** One record of topic `as2.gateway.messages` (docs/asyncapi/schemas/gateway/gateway.message_outcome.schema.json). */

/** How far ahead of this server's clock a gateway's occurred_at may be (clocks drift; a day is far beyond that). */
const OCCURRED_AT_AHEAD_MS = 24 * 60 * 60 * 1000;

/** A real instant as ISO 8601 writes it (no 30 February), its `T` and `Z` in either case as RFC 3339 allows (§5.6). */
function IsIsoInstant(): PropertyDecorator {
  return propertyRule({
    name: 'isIsoInstant',
    validate: (value) => typeof value === 'string' && isISO8601(value.toUpperCase(), { strict: true }),
    message: 'The occurred_at must be an ISO-8601 date-time',
  });
}

/** An instant no more than a day ahead of now (a text that is no date-time is left to the other rules). */
function IsNotFarAhead(): PropertyDecorator {
  return propertyRule({
    name: 'isNotFarAhead',
    validate: (value) => typeof value !== 'string' || !(Date.parse(value) > Date.now() + OCCURRED_AT_AHEAD_MS),
    message: 'The occurred_at may not be more than a day in the future',
  });
}
export class GatewayMessageRecordDto {
  @ApiProperty({ minLength: 1, maxLength: 255, pattern: HEADER_SAFE_TEXT, description: 'The AS2 Message-ID; records repeat per message as its outcome changes' })
  @IsDefined({ message: 'The message id field is required' })
  @IsString({ message: 'The message id must be a string' })
  @CharacterLength(1, 255, { message: 'The message id must be between 1 and 255 characters' })
  @IsHeaderSafeText('message id', null)
  message_id!: string;

  @ApiProperty({ enum: MESSAGE_DIRECTIONS })
  @IsDefined({ message: 'The direction field is required' })
  @IsIn(MESSAGE_DIRECTIONS, { message: 'The direction must be inbound or outbound' })
  direction!: 'inbound' | 'outbound';

  @ApiProperty({ minLength: 1, maxLength: 50, pattern: AS2_ID_PATTERN.source })
  @IsDefined({ message: 'The as2_from field is required' })
  @IsAs2Id()
  as2_from!: string;

  @ApiProperty({ minLength: 1, maxLength: 50, pattern: AS2_ID_PATTERN.source })
  @IsDefined({ message: 'The as2_to field is required' })
  @IsAs2Id()
  as2_to!: string;

  @ApiProperty({ enum: MESSAGE_STATUSES })
  @IsDefined({ message: 'The status field is required' })
  @IsIn(MESSAGE_STATUSES, { message: `The status must be one of ${MESSAGE_STATUSES.join(', ')}` })
  status!: (typeof MESSAGE_STATUSES)[number];

  @ApiProperty({ format: 'date-time', pattern: DATE_TIME_WITH_OFFSET.source, example: '2026-11-30T10:00:00.000Z' })
  @IsDefined({ message: 'The occurred_at field is required' })
  @IsIsoInstant()
  // a date alone (2026-11-30) is ISO 8601 too, but no instant: the schema's date-time has a time and an offset
  @Matches(DATE_TIME_WITH_OFFSET, { message: 'The occurred_at must be an ISO-8601 date-time' })
  // A gateway's clock may be a little ahead; a record from far ahead would hold the message's outcome (and the partner's last message) for good.
  @IsNotFarAhead()
  occurred_at!: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 64, pattern: TENANT_ID_PATTERN.source, description: "Required unless the token names the tenant; must be the token's when it does" })
  @IsOptionalNotNull()
  @IsString({ message: 'The tenant must be a string' })
  @Matches(TENANT_ID_PATTERN, { message: TENANT_ID_MESSAGE })
  tenant?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 128, pattern: ACCOUNT_ID_PATTERN.source, description: "Must be the token's account when given (required on the Kafka topic)" })
  @IsOptionalNotNull()
  @IsAccountId()
  account?: string;
}

export class GatewayMessageBatchDto {
  @ApiProperty({ type: [GatewayMessageRecordDto], minItems: 1, maxItems: 1000 })
  @IsDefined({ message: 'The events field is required' })
  @IsArray({ message: 'The events must be a list' })
  @ArrayMinSize(1, { message: 'The events must hold at least one record' })
  @ArrayMaxSize(1000, { message: 'The events may hold at most 1000 records' })
  @ValidateNested({ each: true })
  @Type(() => GatewayMessageRecordDto)
  events!: GatewayMessageRecordDto[];
}
