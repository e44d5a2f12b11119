/** A UTF-16 surrogate without its pair (JSON `\ud800` escapes); with NUL, what no text field of ours may hold. */
const UNPAIRED_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UNPAIRED_SURROGATES = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const NUL = '\u0000';

export const UNSAFE_TEXT_MESSAGE = 'The field must not contain NUL characters or unpaired UTF-16 surrogates';

export function hasUnsafeCharacters(text: string): boolean {
  return text.includes(NUL) || UNPAIRED_SURROGATE.test(text);
}

/**
 * The dotted path (`mdn.url`, `items.0.name`) of the first string, or key, in a parsed body that holds NUL or an unpaired
 * surrogate; null when there is none. Walks with an explicit stack, so depth cannot overflow the call stack.
 */
export function firstUnsafeTextField(body: unknown): string | null {
  const pending: (readonly [value: unknown, path: string, key: string])[] = [[body, '', '']];
  for (let entry = pending.pop(); entry !== undefined; entry = pending.pop()) {
    const [value, path, key] = entry;
    if (hasUnsafeCharacters(key)) return path.replaceAll(NUL, '\uFFFD').replace(UNPAIRED_SURROGATES, '\uFFFD');
    if (typeof value === 'string') {
      if (hasUnsafeCharacters(value)) return path;
    } else if (typeof value === 'object' && value !== null) {
      const keys = Array.isArray(value) ? value.map((_, index) => String(index)) : Object.keys(value);
      // Pushed last to first, so the body's first field is looked at first.
      for (const child of keys.reverse()) pending.push([(value as Record<string, unknown>)[child], path ? `${path}.${child}` : child, child]);
    }
  }
  return null;
}
