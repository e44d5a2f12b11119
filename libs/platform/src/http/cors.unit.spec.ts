import { InvalidConfigurationError } from '../config/invalid-configuration.error';
import { corsHeadersWithoutOrigin, corsOptionsFor, readCorsOrigins } from './cors';

describe('readCorsOrigins (CORS_ORIGINS)', () => {
  it('is empty when unset or blank', () => {
    expect(readCorsOrigins({})).toEqual([]);
    expect(readCorsOrigins({ CORS_ORIGINS: ' , ' })).toEqual([]);
  });

  it('reads a comma list of origins, and * alone', () => {
    expect(readCorsOrigins({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' })).toEqual(['https://app.example.com', 'http://localhost:5173']);
    expect(readCorsOrigins({ CORS_ORIGINS: '*' })).toEqual(['*']);
  });

  it.each(['https://app.example.com/', 'https://app.example.com/path', 'ftp://files.example.com', 'app.example.com', '*,https://app.example.com'])('refuses %s', (value) => {
    expect(() => readCorsOrigins({ CORS_ORIGINS: value })).toThrow(InvalidConfigurationError);
    expect(() => readCorsOrigins({ CORS_ORIGINS: value })).toThrow(/CORS_ORIGINS/);
  });
});

describe('corsHeadersWithoutOrigin (what the fast lane writes for a gateway, which sends no Origin)', () => {
  it('is Vary: Origin and the exposed headers for a list of origins, the allowed origin * and the exposed headers for *', () => {
    const exposed = 'x-correlation-id, WWW-Authenticate, Allow, Retry-After, Idempotent-Replayed';
    expect(corsHeadersWithoutOrigin(corsOptionsFor(['https://app.example.com'])!)).toEqual({ vary: 'Origin', 'access-control-expose-headers': exposed });
    expect(corsHeadersWithoutOrigin(corsOptionsFor(['*'])!)).toEqual({ 'access-control-allow-origin': '*', 'access-control-expose-headers': exposed });
    expect(corsOptionsFor([])).toBeUndefined();
  });
});
