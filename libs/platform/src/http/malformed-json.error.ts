/** The body claimed to be JSON and was not (thrown by the JSON content parser, mapped to 400 MALFORMED_JSON). */
export class MalformedJsonError extends Error {
  constructor(reason: string) {
    super(`Malformed JSON body: ${reason}`);
    this.name = 'MalformedJsonError';
  }
}
