import type { Clock } from '@as2-partners/kernel';
import type { Timestamper } from '../../timestamping/timestamper';

/** A clock that moves one second on every reading, as time does while a TSA answers. */
export function tickingClock(from: number): Clock {
  let t = from;
  return { now: () => new Date((t += 1000)) };
}

/** A TSA that stamps every document it is given (kept in `stamped`, in order) with a token of its own, dated `genTime`. */
export function recordingTimestamper(genTime: string): { readonly timestamper: Timestamper; readonly stamped: string[] } {
  const stamped: string[] = [];
  const timestamper: Timestamper = {
    stamp: async (document) => {
      stamped.push(document);
      return { timestampToken: 'dG9rZW4=', tsaCertificate: '-----BEGIN CERTIFICATE-----\n', tsaUrl: 'http://tsa.test', genTime };
    },
    close: async () => undefined,
  };
  return { timestamper, stamped };
}
