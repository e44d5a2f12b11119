import { preferredMediaType } from './preferred-media-type';

const PEM = 'application/x-pem-file';
const DER = 'application/pkix-cert';
const offers = [PEM, DER, 'application/octet-stream'];

describe('preferredMediaType', () => {
  it.each([
    ['no header', undefined, PEM],
    ['*/*', '*/*', PEM],
    ['one named type', 'application/pkix-cert', DER],
    ['a type named beside */*', 'application/pkix-cert, */*', DER],
    ['a type named beside application/*', 'application/*, application/octet-stream', 'application/octet-stream'],
    ['q-values: the higher wins though named first', 'application/pkix-cert;q=0.1, application/x-pem-file', PEM],
    ['q-values with spaces and upper case', 'Application/PKIX-Cert ; Q=0.9, application/x-pem-file;q=0.5', DER],
    ['q=0 refuses a type a wildcard would accept', 'application/x-pem-file;q=0, */*', DER],
    ['nothing acceptable: the default', 'text/html', PEM],
    ['a malformed range is skipped', 'garbage, application/pkix-cert;q=0.2', DER],
  ])('%s', (_case, accept, expected) => {
    expect(preferredMediaType(accept, offers)).toBe(expected);
  });

  it("takes an offer's q from the most specific range naming it", () => {
    expect(preferredMediaType('application/*;q=0.9, application/json;q=0.1', ['application/json', 'application/pkcs10'])).toBe('application/pkcs10');
    expect(preferredMediaType('application/pkcs10;q=0.1, application/json', ['application/json', 'application/pkcs10'])).toBe('application/json');
  });
});
