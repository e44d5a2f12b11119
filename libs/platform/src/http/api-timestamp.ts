/** The API's timestamp format: ISO-8601 UTC with microseconds (`2024-01-15T10:30:00.000000Z`), as in the seed. */
export function toApiTimestamp(iso: string): string;
export function toApiTimestamp(iso: string | null): string | null;
export function toApiTimestamp(iso: string | null): string | null {
  if (iso === null) return null;
  // What the stores hold (Date.toISOString's own form): the same text with three more digits, no Date made.
  if (isCanonicalInstant(iso)) return `${iso.slice(0, 23)}000Z`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`Not a timestamp: ${iso}`);
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** `Date.toISOString`'s form for years 0–9999: `YYYY-MM-DDTHH:MM:SS.sssZ`. */
const CANONICAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const numberAt = (text: string, at: number, length: number): number => {
  let value = 0;
  for (let i = at; i < at + length; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
};

/**
 * True when `iso` is in `Date.toISOString`'s form and names a real instant as written (no 30 February, no 24:00, no
 * leap second), so `new Date(iso).toISOString()` would answer it unchanged: the conversion above is then textual. A
 * date that Date would roll over (2023-02-29 is read as 1 March) goes the long way, and answers as before.
 */
function isCanonicalInstant(iso: string): boolean {
  if (!CANONICAL.test(iso)) return false;
  const year = numberAt(iso, 0, 4);
  const month = numberAt(iso, 5, 2);
  const day = numberAt(iso, 8, 2);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 ? (leap ? 29 : 28) : month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
  return day <= days && numberAt(iso, 11, 2) <= 23 && numberAt(iso, 14, 2) <= 59 && numberAt(iso, 17, 2) <= 59;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

/** `Date.toISOString`'s timestamps inside a text (a rule's message names an instant): in the API's format too. */
const MILLISECOND_INSTANTS = /\b(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})Z\b/g;

/** A message's timestamps as every body shows them, six fraction digits (`…:04.000Z` → `…:04.000000Z`). */
export function apiTimestampsIn(text: string): string {
  return text.includes('Z') ? text.replace(MILLISECOND_INSTANTS, '$1000Z') : text;
}

/** For values whose type is not known (event data shown as is): an ISO-8601 UTC timestamp in the API's format, anything else unchanged. */
export function apiTimestampIfIso<T>(value: T): T | string {
  return typeof value === 'string' && ISO_UTC.test(value) && !Number.isNaN(Date.parse(value)) ? toApiTimestamp(value) : value;
}

/** RFC 3339's date-time: a date, a time and an offset (Z or ±hh:mm). What a `date-time` field accepts. */
export const DATE_TIME_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * An instant a query may bound by: a date (its midnight UTC) or a date-time, its seconds and offset optional. ISO 8601
 * forms beyond these (basic `20270101`, weeks, ordinal days, an hour alone, a decimal comma) are refused: nothing
 * reads them as the same instant everywhere.
 */
export const DATE_OR_DATE_TIME = /^\d{4}-\d{2}-\d{2}([Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?)?$/;

/** An ISO-8601 date-time's instant in microseconds since the epoch: the milliseconds Date reads, and the fraction's next three digits. */
export function instantInMicroseconds(dateTime: string): number {
  const fraction = /\.(\d+)/.exec(dateTime)?.[1] ?? '';
  return Date.parse(dateTime) * 1000 + Number(fraction.padEnd(6, '0').slice(3, 6));
}

/** A date-time that ends with its time (DATE_OR_DATE_TIME without an offset). */
const ZONELESS_TIME = /[Tt]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

/**
 * The bound of a `before` filter, to the millisecond stored values have: a bound with digits past the millisecond
 * (the API's timestamps have six) is rounded up, so a value in its last millisecond but before it still counts. A
 * date-time without an offset is UTC, as a date alone is: never the server's own time zone (Date's reading of it).
 */
export function exclusiveMillisecondBound(dateTime: string): Date {
  const pastMillisecond = /\.\d{3}(\d+)/.exec(dateTime)?.[1] ?? '';
  const instant = ZONELESS_TIME.test(dateTime) ? `${dateTime}Z` : dateTime;
  return new Date(Date.parse(instant) + (/[1-9]/.test(pastMillisecond) ? 1 : 0));
}

/** The last instant whose ISO text sorts as the instant does: a later one is written "+010000-…", which sorts before "2…". */
const LAST_TEXT_ORDERED_INSTANT = '9999-12-31T23:59:59.999Z';

/**
 * `exclusiveMillisecondBound` as the ISO text stored timestamps are compared with. A bound past the year 9999 is the
 * last instant the text orders rightly, before which every stored one is (a certificate's times are whole seconds).
 */
export function exclusiveMillisecondBoundText(dateTime: string): string {
  const bound = exclusiveMillisecondBound(dateTime);
  return bound.getTime() > Date.parse(LAST_TEXT_ORDERED_INSTANT) ? LAST_TEXT_ORDERED_INSTANT : bound.toISOString();
}
