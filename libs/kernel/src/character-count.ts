/**
 * How many characters (Unicode code points) a text holds, as a limit of "1-255 characters" and JSON Schema's
 * `maxLength` count them: `String.length` counts UTF-16 units, two for each character outside the BMP (an emoji).
 */
export function characterCount(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count -= 1;
        i += 1;
      }
    }
  }
  return count;
}
