/** How the embedded store reads an indexed field in SQL and checks in JavaScript that an index can answer for it. */

/** The SQLite JSON path of a dotted field (`settings.name` → `$."settings"."name"`). */
export function jsonPathOf(field: string): string {
  const keys = field.split('.');
  if (keys.some((key) => key === '' || key.includes('"'))) throw new TypeError(`cannot index field "${field}"`);
  return '$' + keys.map((key) => `."${key}"`).join('');
}

const quoted = (text: string): string => `'${text.replace(/'/g, "''")}'`;

/**
 * The SQL key of a field, ordered as MongoDB orders its scalars: NULL (null or missing) < numbers < text < booleans
 * (booleans as the blobs x'00' < x'01', so they neither equal nor sort with the numbers 0 and 1).
 * Objects and arrays get blobs of their own; an index over a field holding them is not used (see `isPlainAt`).
 */
export function keyExpression(field: string): string {
  if (field === '_id') return 'id';
  const path = quoted(jsonPathOf(field));
  return `(CASE json_type(body, ${path}) WHEN 'true' THEN x'01' WHEN 'false' THEN x'00' WHEN 'object' THEN x'02' WHEN 'array' THEN x'03' ELSE body ->> ${path} END)`;
}

/** The value bound against `keyExpression` for an equality, or undefined when the value is no plain scalar. */
export function keyParameter(value: unknown): string | number | Buffer | null | undefined {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value === 'boolean') return Buffer.from([value ? 1 : 0]);
  return undefined;
}

/**
 * A document's key for an ascending order over `fields` (`_id` last), as the fields' `keyExpression`s give it (text,
 * integers, booleans as their blobs), or undefined where that cannot be told exactly here: a missing or null value, a
 * number that is not a safe integer, an object or an array on the path, text holding NUL.
 */
export function sortKeyOf(fields: readonly string[]): (doc: Record<string, unknown>) => unknown[] | undefined {
  const paths = fields.map((field) => field.split('.'));
  return (doc) => {
    const key: unknown[] = [];
    for (const path of paths) {
      let value: unknown = doc;
      for (const name of path) {
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
        value = (value as Record<string, unknown>)[name];
      }
      if (typeof value === 'string' && !value.includes('\u0000')) key.push(value);
      else if (typeof value === 'boolean') key.push(Buffer.from([value ? 1 : 0]));
      else if (typeof value === 'number' && Number.isSafeInteger(value)) key.push(value);
      else return undefined;
    }
    return key;
  };
}

/** Whether a field of a document is a scalar or missing, with no array or object on its path (JSON view: a Date is a string). */
export function isPlainAt(doc: unknown, field: string): boolean {
  let current = doc;
  for (const key of field.split('.')) {
    if (current === null || current === undefined || typeof current !== 'object' || current instanceof Date) return true;
    if (Array.isArray(current)) return false;
    current = (current as Record<string, unknown>)[key];
  }
  return current === null || current === undefined || typeof current !== 'object' || current instanceof Date;
}

/**
 * The two characters SQLite's trigram tokenizer folds to ASCII letters (KELVIN SIGN to k, LONG S to s) where a
 * case-insensitive JavaScript regex does not: indexed as U+FFFD, so an ASCII term's trigram match is the regex's match.
 */
const FOLDED_TO_ASCII_BY_SQLITE = /[\u212a\u017f]/g;

/** Every string a substring search on these fields could match in a document (array elements included), one a line. */
export function searchTextOf(doc: unknown, fields: readonly string[]): string {
  const texts: string[] = [];
  const collect = (value: unknown, keys: readonly string[]): void => {
    if (Array.isArray(value)) {
      for (const item of value) collect(item, keys);
    } else if (keys.length === 0) {
      if (typeof value === 'string') texts.push(value.replace(FOLDED_TO_ASCII_BY_SQLITE, '\ufffd'));
      else if (value instanceof Date) texts.push(value.toISOString());
    } else if (value !== null && typeof value === 'object') {
      collect((value as Record<string, unknown>)[keys[0]], keys.slice(1));
    }
  };
  for (const field of fields) collect(doc, field.split('.'));
  return texts.join('\n');
}

/** The collection name as an SQL literal, so a query's `collection = '…'` matches the partial indexes' condition. */
export const collectionLiteral = quoted;
