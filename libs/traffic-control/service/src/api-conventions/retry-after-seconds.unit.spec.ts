import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { PauseIncomingDto } from '../commands/pause-traffic/traffic-pause.dto';

/** The messages class-validator gives for `retry_after_seconds`, as the API lists them under `errors.retry_after_seconds`. */
async function retryAfterMessages(retryAfter: unknown): Promise<string[]> {
  const errors = await validate(plainToInstance(PauseIncomingDto, { paused: true, response: 'http_503_retry', reason: 'x', retry_after_seconds: retryAfter }));
  return Object.values(errors.find((e) => e.property === 'retry_after_seconds')?.constraints ?? {});
}

describe('retry_after_seconds: one message saying what is wrong', () => {
  it.each([
    ['a string of digits', '30', ['The retry_after_seconds must be an integer (seconds)']],
    ['a fraction', 1.5, ['The retry_after_seconds must be an integer (seconds)']],
    ['a boolean', true, ['The retry_after_seconds must be an integer (seconds)']],
    ['zero', 0, ['The retry_after_seconds must be at least 1']],
    ['more than a day', 86_401, ['The retry_after_seconds may not be greater than 86400']],
    ['a day', 86_400, []],
    ['1', 1, []],
    ['absent', undefined, []],
    ['null (the field is not nullable)', null, ['The retry_after_seconds must be an integer (seconds)']],
  ])('%s', async (_case, value, expected) => {
    expect(await retryAfterMessages(value)).toEqual(expected);
  });
});
