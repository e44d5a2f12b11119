import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, ValidateIf } from 'class-validator';
import { IntegerBetween } from '@as2-partners/platform';
import { MAX_MONITORING_INTERVAL_MINUTES, MIN_MONITORING_INTERVAL_MINUTES, TEST_TYPES, type TestType } from '@as2-partners/connection-tester-domain';

export class MonitoringDto {
  @ApiProperty()
  @IsBoolean({ message: 'The enabled field must be true or false' })
  enabled!: boolean;

  // Turning monitoring off needs nothing else: `{enabled: false}` alone is enough.
  @ApiPropertyOptional({ enum: ['ping', 'mdn'], description: '`full` is not scheduled: it delivers a file to the partner each time; required when enabled' })
  @ValidateIf((o: MonitoringDto) => o.enabled !== false || o.test_type !== undefined)
  @IsIn(TEST_TYPES.filter((t) => t !== 'full'), { message: 'The test type must be ping or mdn' })
  test_type?: TestType;

  @ApiPropertyOptional({ type: 'integer', minimum: MIN_MONITORING_INTERVAL_MINUTES, maximum: MAX_MONITORING_INTERVAL_MINUTES, description: 'required when enabled' })
  @ValidateIf((o: MonitoringDto) => o.enabled !== false || o.interval_minutes !== undefined)
  @IntegerBetween('interval minutes', MIN_MONITORING_INTERVAL_MINUTES, MAX_MONITORING_INTERVAL_MINUTES)
  interval_minutes?: number;
}
