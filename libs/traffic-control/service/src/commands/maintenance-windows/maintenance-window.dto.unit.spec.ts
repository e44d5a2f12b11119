import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ScheduleWindowDto } from './maintenance-window.dto';

/** The messages class-validator gives for one field of a window, as the API lists them under `errors.<field>`. */
async function messagesOf(body: Record<string, unknown>, field: string): Promise<string[]> {
  const errors = await validate(plainToInstance(ScheduleWindowDto, body));
  return Object.values(errors.find((e) => e.property === field)?.constraints ?? {});
}

describe("a maintenance window's instants: one message saying what is wrong", () => {
  const window = { direction: 'outgoing', starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-01-02T00:00:00Z', reason: 'upgrade' };

  it.each([
    ['missing', undefined, 'The starts_at field is required'],
    ['null', null, 'The starts_at field is required'],
    ['a number', 2_000_000_000_000, 'The starts_at must be an ISO-8601 date-time string'],
    ['a list', ['2031-01-01T00:00:00Z'], 'The starts_at must be an ISO-8601 date-time string'],
  ])('starts_at %s: %s', async (_case, value, message) => {
    expect(await messagesOf({ ...window, starts_at: value }, 'starts_at')).toEqual([message]);
  });

  it('ends_at true is no date-time string; text goes on to the domain checks', async () => {
    expect(await messagesOf({ ...window, ends_at: true }, 'ends_at')).toEqual(['The ends_at must be an ISO-8601 date-time string']);
    expect(await messagesOf(window, 'ends_at')).toEqual([]);
  });
});
