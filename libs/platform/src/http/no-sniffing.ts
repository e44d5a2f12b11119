/**
 * The header every answer carries, refusals too: a browser takes the declared type and guesses no other, so a JSON
 * error that echoes input is never run as a script or a page. Written into each answer's own headers where it is made.
 */
export const NO_SNIFFING = ['x-content-type-options', 'nosniff'] as const;
