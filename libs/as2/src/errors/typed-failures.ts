import { As2Error } from './as2-error';

/** Runs `fn` so that only As2Error escapes: a bug meeting hostile input still gives a typed, reportable failure. */
export function withTypedFailures<T>(what: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof As2Error) throw error;
    throw new As2Error('UNEXPECTED_ERROR', `Unexpected failure while ${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
