import { failureInfoName, PkiStatus } from './pki-status';
import { TimestampError } from './timestamp-error';
import { DecodedTimestampResponse, TimestampToken } from './timestamp-response';

/** The token of a granted response; a refusal becomes TimestampError TSA_REJECTED with the TSA's reasons. */
export function grantedToken(response: DecodedTimestampResponse): TimestampToken {
  if (response.status !== PkiStatus.granted && response.status !== PkiStatus.grantedWithMods) {
    const reasons = [...response.failureBits.map(failureInfoName), ...response.statusText].join('; ');
    throw new TimestampError('TSA_REJECTED', `the TSA refused the request (status ${response.status}${reasons ? `: ${reasons}` : ''})`);
  }
  if (!response.token) throw new TimestampError('TSA_BAD_RESPONSE', 'the response is granted but carries no token');
  return response.token;
}
