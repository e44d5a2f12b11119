import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ScheduleBackupDto } from '../certificate-slots/certificate-slots.dto';
import { RetireDto, ScheduleRolloverDto } from './trust.dto';

/** The messages class-validator gives for one field, as the API lists them under `errors.<field>`. */
async function messagesOf(dto: new () => object, body: Record<string, unknown>, field: string): Promise<string[]> {
  const errors = await validate(plainToInstance(dto, body));
  return Object.values(errors.find((e) => e.property === field)?.constraints ?? {});
}

describe("a scheduled change's instants: missing is required, another type is no date-time string", () => {
  const rollover = { next_certificate_id: 'cert_x', activate_at: '2031-01-01T00:00:00Z', overlap_until: '2031-02-01T00:00:00Z' };

  it.each([
    ['activate_at', undefined, 'The activate_at field is required'],
    ['activate_at', 123, 'The activate_at must be an ISO-8601 date-time string'],
    ['overlap_until', [], 'The overlap_until must be an ISO-8601 date-time string'],
    ['overlap_until', null, 'The overlap_until field is required'],
    ['next_certificate_id', true, 'The next_certificate_id must be a certificate id (text)'],
  ])('a rollover whose %s is %p', async (field, value, message) => {
    expect(await messagesOf(ScheduleRolloverDto, { ...rollover, [field]: value }, field)).toEqual([message]);
  });

  it('a backup whose activate_on is a number or missing', async () => {
    expect(await messagesOf(ScheduleBackupDto, { certificate_id: 'cert_x', activate_on: 1 }, 'activate_on')).toEqual(['The activate_on must be an ISO-8601 date-time string']);
    expect(await messagesOf(ScheduleBackupDto, { certificate_id: 'cert_x' }, 'activate_on')).toEqual(['The activate_on field is required']);
  });
});

describe("a forced retirement's reason", () => {
  it('refuses a line break or a bidirectional override; takes one line of any script', async () => {
    for (const reason of ['moved\nX-Injected: 1', '\u202eevil', 'tab\there']) {
      expect(await messagesOf(RetireDto, { force: true, reason }, 'reason')).toEqual(['The reason must not contain control characters (line breaks, tabs, NUL)']);
    }
    expect(await messagesOf(RetireDto, { force: true, reason: 'מעבר לתעודה שלנו — moving to our own certificate' }, 'reason')).toEqual([]);
  });
});
