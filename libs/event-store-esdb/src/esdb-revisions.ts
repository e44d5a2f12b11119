import { WrongExpectedVersionError, type AppendExpectedRevision } from '@eventstore/db-client';
import { WrongExpectedRevisionError, type ExpectedRevision } from '@as2-partners/kernel';

export function toAppendExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  return typeof expected === 'number' ? BigInt(expected) : expected;
}

/** ESDB's conflict as ours; anything else is returned unchanged. */
export function toWrongExpectedRevision(error: unknown, stream: string, expected: ExpectedRevision): unknown {
  if (!(error instanceof WrongExpectedVersionError)) return error;
  const current = error.actualVersion;
  const actual = current === 'no_stream' || current < 0n ? 'no_stream' : Number(current);
  return new WrongExpectedRevisionError(stream, expected, actual);
}
