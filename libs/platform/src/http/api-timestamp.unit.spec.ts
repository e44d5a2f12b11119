import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { apiTimestampsIn, exclusiveMillisecondBound, exclusiveMillisecondBoundText, toApiTimestamp } from './api-timestamp';

/** The conversion by way of Date, as it was: what every input must still answer. */
const throughDate = (iso: string): string => {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${iso}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
};

/** The answer, or 'refused' for a throw. */
const answerOf = (convert: () => string): string => {
  try {
    return convert();
  } catch {
    return 'refused';
  }
};

describe('toApiTimestamp', () => {
  it('answers an instant in the stores’ form with three more digits of its fraction', () => {
    expect(toApiTimestamp('2024-01-15T10:30:00.123Z')).toBe('2024-01-15T10:30:00.123000Z');
    expect(toApiTimestamp(null)).toBeNull();
  });

  it('answers what Date answers for dates it rolls over, other forms and the edges of each field', () => {
    const inputs = [
      '2024-02-29T00:00:00.000Z', // leap day
      '2023-02-29T00:00:00.000Z', // none that year: 1 March
      '1900-02-29T12:00:00.000Z', // a century without one
      '2000-02-29T12:00:00.000Z', // a fourth century with one
      '2024-04-31T10:00:00.000Z',
      '2024-12-31T23:59:59.999Z',
      '2024-01-01T24:00:00.000Z', // the next midnight
      '0000-01-01T00:00:00.000Z',
      '9999-12-31T23:59:59.999Z',
      '2024-01-15T10:30:00Z',
      '2024-01-15T10:30:00.1Z',
      '2024-01-15T10:30:00.123456Z',
      '2024-01-15T10:30:00.000+02:00',
      '2024-01-15',
    ];
    for (const iso of inputs) expect([iso, toApiTimestamp(iso)]).toEqual([iso, throughDate(iso)]);
    // a leap and a common year, a step of a day, an hour, two minutes, three seconds and a millisecond (~350 days each)
    for (const year of [2023, 2024]) {
      for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000 + 3_723_001) {
        const iso = new Date(t).toISOString();
        expect(toApiTimestamp(iso)).toBe(throughDate(iso));
      }
    }
    for (let month = 0; month <= 13; month++) {
      for (let day = 0; day <= 32; day++) {
        const iso = `2023-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}T00:00:00.000Z`;
        expect([iso, answerOf(() => toApiTimestamp(iso))]).toEqual([iso, answerOf(() => throughDate(iso))]);
      }
    }
  });

  it('refuses what names no instant, as before', () => {
    for (const iso of ['2024-13-01T00:00:00.000Z', '2024-01-01T23:59:60.000Z', 'not a date']) expect(() => toApiTimestamp(iso)).toThrow(`Not a timestamp: ${iso}`);
  });
});

describe('apiTimestampsIn', () => {
  it("gives a message's millisecond timestamps the API's six fraction digits, and leaves the rest of the text alone", () => {
    expect(apiTimestampsIn('The overlap window is open until 2026-12-13T23:35:04.000Z: retire after it')).toBe('The overlap window is open until 2026-12-13T23:35:04.000000Z: retire after it');
    expect(apiTimestampsIn('from 2026-01-01T00:00:00.123Z to 2026-01-02T00:00:00.456Z')).toBe('from 2026-01-01T00:00:00.123000Z to 2026-01-02T00:00:00.456000Z');
    for (const text of ['already 2026-12-13T23:35:04.000000Z', 'no time here', 'a date 2026-12-13 alone', 'Zulu']) expect(apiTimestampsIn(text)).toBe(text);
  });
});

describe('exclusiveMillisecondBound', () => {
  it('rounds a bound with digits past the millisecond up, and keeps one without them', () => {
    expect(exclusiveMillisecondBound('2027-01-01T10:00:00.000999Z').toISOString()).toBe('2027-01-01T10:00:00.001Z');
    expect(exclusiveMillisecondBound('2027-01-01T10:00:00.000000Z').toISOString()).toBe('2027-01-01T10:00:00.000Z');
    expect(exclusiveMillisecondBound('2027-01-01T12:00:00+02:00').toISOString()).toBe('2027-01-01T10:00:00.000Z');
  });

  it('as text, a bound past the year 9999 is the last instant text orders rightly (its ISO text "+010000-…" sorts before every stored one)', () => {
    expect(exclusiveMillisecondBound('9999-12-31T23:59:59.9991Z').toISOString()).toBe('+010000-01-01T00:00:00.000Z');
    for (const bound of ['9999-12-31T23:59:59.9991Z', '9999-12-31T24:00', '9999-12-31T23:59-01:00']) expect(exclusiveMillisecondBoundText(bound)).toBe('9999-12-31T23:59:59.999Z');
    expect('9999-12-31T23:59:59.000Z' < exclusiveMillisecondBoundText('9999-12-31T23:59-01:00')).toBe(true);
    expect(exclusiveMillisecondBoundText('9999-12-31T23:59:59Z')).toBe('9999-12-31T23:59:59.000Z');
    expect(exclusiveMillisecondBoundText('2027-01-01T10:00:00.000999Z')).toBe('2027-01-01T10:00:00.001Z');
  });

  it('reads a date-time without an offset as UTC, as a date alone, whatever the server’s time zone', () => {
    // The zone is the process's (Jest's sandbox cannot change it): the function runs in processes of other zones.
    const { outputFiles } = buildSync({ entryPoints: [join(__dirname, 'api-timestamp.ts')], bundle: true, platform: 'node', format: 'cjs', write: false });
    const program = `${outputFiles[0].text};console.log(JSON.stringify(['2027-01-01T10:00', '2027-01-01T10:00:30.5', '2027-01-01'].map((t) => module.exports.exclusiveMillisecondBound(t).toISOString())))`;
    for (const zone of ['UTC', 'Asia/Tokyo', 'America/New_York']) {
      const answer = execFileSync(process.execPath, ['-e', program], { env: { ...process.env, TZ: zone }, encoding: 'utf8' });
      expect([zone, JSON.parse(answer)]).toEqual([zone, ['2027-01-01T10:00:00.000Z', '2027-01-01T10:00:30.500Z', '2027-01-01T00:00:00.000Z']]);
    }
  });
});
