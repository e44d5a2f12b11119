import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('keeps a URL without a secret-looking query parameter as it is', () => {
    for (const url of ['/v1/partners', '/v1/partners?search=acme&page=2', '/v1/partners?', '/v1/certificates?expiring_before=2027-01-01']) expect(loggableUrl(url)).toBe(url);
  });

  it('replaces the value of every parameter that looks like a secret, keeping the others and their order', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln';
    expect(loggableUrl(`/v1/partners?page=1&access_token=${jwt}&search=x`)).toBe('/v1/partners?page=1&access_token=[redacted]&search=x');
    expect(loggableUrl('/x?Password=hunter2&api_key=k1&apiKey=k2&X-Amz-Signature=s&token')).toBe('/x?Password=[redacted]&api_key=[redacted]&apiKey=[redacted]&X-Amz-Signature=[redacted]&token');
    expect(loggableUrl('/x?acc%65ss_token=abc')).toBe('/x?acc%65ss_token=[redacted]');
    expect(loggableUrl('/x?%E0%A4%A=1&token=abc')).toBe('/x?%E0%A4%A=1&token=[redacted]');
    // A bare JWT or bearer value, a session, a cookie, a private key, a pwd: each a secret by its name.
    expect(loggableUrl('/x?jwt=e1&bearer=e2&session_id=s&cookie=c&private_key=k&pwd=p&page=2')).toBe(
      '/x?jwt=[redacted]&bearer=[redacted]&session_id=[redacted]&cookie=[redacted]&private_key=[redacted]&pwd=[redacted]&page=2',
    );
  });

  it('replaces a passphrase, and a parameter named code, key, pass or pin whole (an OAuth code, a key), escaped or not, but not a name holding one', () => {
    expect(loggableUrl('/x?passphrase=p1&code=c1&key=k1&Pass=p2&pin=1234&country_code=DE&keyword=edi&page=2')).toBe(
      '/x?passphrase=[redacted]&code=[redacted]&key=[redacted]&Pass=[redacted]&pin=[redacted]&country_code=DE&keyword=edi&page=2',
    );
    expect(loggableUrl('/x?c%6Fde=c1&page=2')).toBe('/x?c%6Fde=[redacted]&page=2');
    expect(loggableUrl('/x?keyword=edi&search=%20')).toBe('/x?keyword=edi&search=%20');
  });

  it('replaces a secret named in the bracketed forms clients send for arrays and objects, or with spaces around it', () => {
    expect(loggableUrl('/x?key[]=k1&pin%5B%5D=p1&pass%20=p2&auth[pin]=p3&user[name]=u&filter[keyword]=edi')).toBe(
      '/x?key[]=[redacted]&pin%5B%5D=[redacted]&pass%20=[redacted]&auth[pin]=[redacted]&user[name]=u&filter[keyword]=edi',
    );
    expect(loggableUrl('/x?code+=c1&page=2')).toBe('/x?code+=[redacted]&page=2');
  });

  it('replaces a secret named in dotted form, by a common compound name, or followed by an invisible character', () => {
    expect(loggableUrl('/x?user.pin=s1&login.pass=s2&passcode=s3&pin_code=s4&pw=s5&otp=s6&user.name=u&zip_code=12345&pwa=1')).toBe(
      '/x?user.pin=[redacted]&login.pass=[redacted]&passcode=[redacted]&pin_code=[redacted]&pw=[redacted]&otp=[redacted]&user.name=u&zip_code=12345&pwa=1',
    );
    expect(loggableUrl('/x?key%E2%80%8B=s1&key%00=s2&page=2')).toBe('/x?key%E2%80%8B=[redacted]&key%00=[redacted]&page=2');
    expect(loggableUrl('/x?otp_code=s1&user_pin=s2&userPin=s3&new-pin=s4&pinned=true&passage=a&country_code=DE')).toBe(
      '/x?otp_code=[redacted]&user_pin=[redacted]&userPin=[redacted]&new-pin=[redacted]&pinned=true&passage=a&country_code=DE',
    );
    // a digit or a plural beside the word
    expect(loggableUrl('/x?pin2=s1&otp1=s2&newPIN1=s3&Pin2FA=s4&pins=s5&PINs=s6&user_pin_2=s7&spin=n&opinion=n&pinball=n')).toBe(
      '/x?pin2=[redacted]&otp1=[redacted]&newPIN1=[redacted]&Pin2FA=[redacted]&pins=[redacted]&PINs=[redacted]&user_pin_2=[redacted]&spin=n&opinion=n&pinball=n',
    );
    // capitalised acronyms, and words apart at a space (encoded as + or %20)
    expect(loggableUrl('/x?OTPCode=s1&PINNumber=s2&PWHash=s3&user+pin=s4&user%20pin=s5&userPIN=s6&NewPIN=s7&PINNED=n&Spinner=n')).toBe(
      '/x?OTPCode=[redacted]&PINNumber=[redacted]&PWHash=[redacted]&user+pin=[redacted]&user%20pin=[redacted]&userPIN=[redacted]&NewPIN=[redacted]&PINNED=n&Spinner=n',
    );
  });
});
