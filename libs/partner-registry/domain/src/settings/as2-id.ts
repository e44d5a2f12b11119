/** AS2 identifiers: 1–50 letters, digits, `-` or `_`; case-sensitive. */
export const AS2_ID_PATTERN = /^[A-Za-z0-9_-]{1,50}$/;

export function isValidAs2Id(value: string): boolean {
  return AS2_ID_PATTERN.test(value);
}
