import { ValidationFailedException } from './validation-failed.exception';

/** A part the multipart reader refused for its name: `__proto__`, `constructor` or another property every object has. */
export const PROTOTYPE_PART_NAME_MESSAGE = 'A part may not be named after a property every object has (__proto__, constructor, toString…)';

/** A field part's text that was not UTF-8: the reader puts U+FFFD where its bytes were, which would be stored as sent. */
export const UNDECODABLE_TEXT_MESSAGE = 'The field must be UTF-8 text';

/** Refuses a part without a name (no `name` in its Content-Disposition): no field it could be. */
export function refuseUnnamedPart(fieldname: unknown): asserts fieldname is string {
  if (typeof fieldname !== 'string' || fieldname === '') {
    throw new ValidationFailedException({ body: ['Every part needs a name (Content-Disposition: form-data; name="…")'] });
  }
}

/** The first field whose text was not UTF-8 (holds U+FFFD, what the reader made of its bytes), or null. */
export function firstUndecodableField(texts: ReadonlyMap<string, string>): string | null {
  for (const [field, text] of texts) if (text.includes('\uFFFD')) return field;
  return null;
}
