/** The deepest nesting of objects and arrays a request body may have: far beyond any DTO of ours (2 levels today). */
export const MAX_JSON_DEPTH = 32;

/**
 * The most values (every object property and list item, at any depth) a request body may hold: 2.5 times the largest
 * body of ours (1,000 gateway message records of 8 fields). Each value costs the validation pipe's walks a few µs, so
 * 1 MB of tiny values (~400,000) held the event loop over a second before the whitelist refused their field.
 */
export const MAX_JSON_VALUES = 25_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * True when the JSON text nests objects/arrays deeper than `max`: one pass over the raw text counting brackets outside
 * strings, no recursion and no parse, so it is safe on any input (malformed text just gets a rough count). A string is
 * skipped with `indexOf` to its closing quote (one not escaped by an odd run of backslashes), not char by char: most of
 * a body is string content.
 */
export function exceedsJsonDepth(text: string, max: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === QUOTE) {
      const end = closingQuoteAfter(text, i);
      // An unterminated string runs to the end: nothing after it counts.
      if (end === -1) return false;
      i = end;
    } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
      depth += 1;
      if (depth > max) return true;
    } else if (code === CLOSE_BRACE || code === CLOSE_BRACKET) {
      depth -= 1;
    }
  }
  return false;
}

/** The index of the quote closing the string opened at `open`, or -1. */
function closingQuoteAfter(text: string, open: number): number {
  let end = text.indexOf('"', open + 1);
  while (end !== -1) {
    let backslashes = 0;
    for (let j = end - 1; j > open && text.charCodeAt(j) === BACKSLASH; j -= 1) backslashes += 1;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/**
 * True when a parsed JSON value nests objects/arrays deeper than `max` (the root object or array is level 1, as its
 * bracket is in the text): a walk with its own stack, no recursion, stopping at the first level too deep. On a value
 * parsed from a text it answers as `exceedsJsonDepth` on that text, but visits values instead of characters.
 */
export function exceedsValueDepth(value: unknown, max: number = MAX_JSON_DEPTH): boolean {
  return valueShapeFault(value, max, Number.POSITIVE_INFINITY) === 'too-deep';
}

/**
 * What is wrong with a parsed body's shape, in one walk that stops at the first fault: nested deeper than `maxDepth`
 * (as exceedsValueDepth), or more than `maxValues` values in all; null when neither.
 */
export function valueShapeFault(value: unknown, maxDepth: number = MAX_JSON_DEPTH, maxValues: number = MAX_JSON_VALUES): 'too-deep' | 'too-many-values' | null {
  if (value === null || typeof value !== 'object') return null;
  const pending: object[] = [value];
  const depths: number[] = [1];
  let values = 1;
  while (pending.length > 0) {
    const node = pending.pop() as Record<string, unknown> | unknown[];
    const depth = depths.pop() as number;
    if (depth > maxDepth) return 'too-deep';
    if (Array.isArray(node)) {
      values += node.length;
      if (values > maxValues) return 'too-many-values';
      for (let i = 0; i < node.length; i += 1) {
        const child = node[i];
        if (child !== null && typeof child === 'object') {
          pending.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        values += 1;
        if (values > maxValues) return 'too-many-values';
        const child = node[key];
        if (child !== null && typeof child === 'object') {
          pending.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return null;
}
