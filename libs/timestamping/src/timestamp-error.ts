export type TimestampErrorCode = 'TSA_UNAVAILABLE' | 'TSA_REJECTED' | 'TSA_BAD_RESPONSE';

/** Coded failure of obtaining or checking a timestamp: the TSA could not be reached, refused, or answered something unusable. */
export class TimestampError extends Error {
  override readonly name = 'TimestampError';

  constructor(
    readonly code: TimestampErrorCode,
    message: string,
  ) {
    super(message);
  }
}
