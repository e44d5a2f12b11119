import { MAX_JSON_DEPTH } from './json-nesting-depth';

/** The body nests deeper than any of our DTOs could use; refused before anything recursive touches it (400 JSON_TOO_DEEP). */
export class JsonTooDeepError extends Error {
  constructor() {
    super(`The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep`);
    this.name = 'JsonTooDeepError';
  }
}
