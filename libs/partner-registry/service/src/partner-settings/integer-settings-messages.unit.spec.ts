import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ConnectionOptionsDto } from './partner-settings.dto';

/** The messages class-validator reports for one field of a connection group, as the request pipe hands them on. */
async function messagesOf(field: keyof ConnectionOptionsDto, value: unknown): Promise<string[]> {
  const errors = await validate(plainToInstance(ConnectionOptionsDto, { [field]: value }), { whitelist: true, forbidNonWhitelisted: true });
  return errors.flatMap((error) => Object.values(error.constraints ?? {}));
}

describe('integer settings: one message that says what is wrong, none for a rule the value meets', () => {
  it.each([
    ['timeout_seconds', '15', 'The timeout must be an integer'],
    ['timeout_seconds', 1.5, 'The timeout must be an integer'],
    ['timeout_seconds', 0, 'The timeout must be at least 1 second'],
    ['timeout_seconds', 3601, 'The timeout may not be greater than 3600 seconds'],
    ['retry_attempts', -1, 'The retry attempts must be at least 0'],
    ['retry_attempts', 21, 'The retry attempts may not be greater than 20'],
    ['retry_interval_seconds', '60', 'The retry interval must be an integer'],
    ['retry_interval_seconds', 86_401, 'The retry interval may not be greater than 86400 seconds'],
  ] as const)('%s %p: %s', async (field, value, message) => {
    expect(await messagesOf(field, value)).toEqual([message]);
  });

  it('takes each bound itself', async () => {
    for (const [field, value] of [['timeout_seconds', 1], ['timeout_seconds', 3600], ['retry_attempts', 0], ['retry_attempts', 20], ['retry_interval_seconds', 86_400]] as const) {
      expect(await messagesOf(field, value)).toEqual([]);
    }
  });
});
