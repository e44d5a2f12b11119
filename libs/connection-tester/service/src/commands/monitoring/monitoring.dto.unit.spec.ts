import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { MonitoringDto } from './monitoring.dto';

const messagesOf = async (body: object): Promise<string[]> => (await validate(plainToInstance(MonitoringDto, body))).flatMap((error) => Object.values(error.constraints ?? {}));

describe('MonitoringDto: the interval, one message that says what is wrong', () => {
  it('names the interval required when monitoring is enabled without one', async () => {
    expect(await messagesOf({ enabled: true, test_type: 'ping' })).toEqual(['The interval minutes field is required']);
  });

  it('says which bound an interval misses, or that it is no integer', async () => {
    expect(await messagesOf({ enabled: true, test_type: 'ping', interval_minutes: 0 })).toEqual([expect.stringMatching(/^The interval minutes must be at least \d+$/)]);
    expect(await messagesOf({ enabled: true, test_type: 'ping', interval_minutes: 10_081 })).toEqual(['The interval minutes may not be greater than 10080']);
    expect(await messagesOf({ enabled: true, test_type: 'ping', interval_minutes: '15' })).toEqual(['The interval minutes must be an integer']);
    expect(await messagesOf({ enabled: false })).toEqual([]);
  });
});
