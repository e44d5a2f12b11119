import { MAX_JSON_VALUES } from './json-nesting-depth';

/** The body holds more values than any of our DTOs could use; refused before the validation pipe walks them (413 PAYLOAD_TOO_LARGE). */
export class JsonTooManyValuesError extends Error {
  constructor() {
    super(`The JSON body holds more than ${MAX_JSON_VALUES} values`);
    this.name = 'JsonTooManyValuesError';
  }
}
