import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ScheduleWindowDto } from '../commands/maintenance-windows/maintenance-window.dto';
import { PauseIncomingDto, PauseOutgoingDto } from '../commands/pause-traffic/traffic-pause.dto';

/** The messages class-validator gives for `reason`, as the API lists them under `errors.reason`. */
async function reasonMessages(dto: new () => object, body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(dto, body));
  return Object.values(errors.find((e) => e.property === 'reason')?.constraints ?? {});
}

describe('a traffic reason: one message saying what is wrong', () => {
  it.each([
    ['missing', undefined, ['The reason field is required when pausing']],
    ['empty', '', ['The reason field is required when pausing']],
    ['of spaces only', '   ', ['The reason field is required when pausing']],
    ['a number', 123, ['The reason must be a string']],
    ['501 characters', 'x'.repeat(501), ['The reason may not be greater than 500 characters']],
    ['500 characters', 'x'.repeat(500), []],
    ['with a line break', 'upgrade\r\nBcc: someone@example.com', ['The reason must not contain control characters (line breaks, tabs, NUL)']],
    ['with an escape sequence', 'upgrade \u001b[2J', ['The reason must not contain control characters (line breaks, tabs, NUL)']],
    ['with a line separator', 'upgrade\u2028done', ['The reason must not contain control characters (line breaks, tabs, NUL)']],
  ])('a pause with a reason %s', async (_case, reason, expected) => {
    expect(await reasonMessages(PauseIncomingDto, { paused: true, response: 'http_422', reason })).toEqual(expected);
    expect(await reasonMessages(PauseOutgoingDto, { paused: true, reason })).toEqual(expected);
  });

  it('a window without a reason is told only that it is required', async () => {
    const window = { direction: 'outgoing', starts_at: '2031-01-01T00:00:00Z', ends_at: '2031-01-01T01:00:00Z' };
    expect(await reasonMessages(ScheduleWindowDto, window)).toEqual(['The reason field is required']);
    expect(await reasonMessages(ScheduleWindowDto, { ...window, reason: 'upgrade' })).toEqual([]);
    expect(await reasonMessages(ScheduleWindowDto, { ...window, reason: ' \u00a0 ' })).toEqual(['The reason field is required']);
    expect(await reasonMessages(ScheduleWindowDto, { ...window, reason: 'upgrade\ntomorrow' })).toEqual(['The reason must not contain control characters (line breaks, tabs, NUL)']);
  });

  it('a resume needs no reason; one it sends empty, blank or null is told what is wrong with it, not that pausing needs one', async () => {
    expect(await reasonMessages(PauseIncomingDto, { paused: false })).toEqual([]);
    expect(await reasonMessages(PauseOutgoingDto, { paused: false, reason: 'done' })).toEqual([]);
    for (const reason of ['', '  ', null]) {
      expect([reason, await reasonMessages(PauseIncomingDto, { paused: false, reason })]).toEqual([reason, ["A resume's reason, when sent, must not be empty or blank"]]);
      expect([reason, await reasonMessages(PauseOutgoingDto, { paused: false, reason })]).toEqual([reason, ["A resume's reason, when sent, must not be empty or blank"]]);
    }
  });
});
