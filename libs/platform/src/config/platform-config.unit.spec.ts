import { generateKeyPairSync } from 'node:crypto';
import { resolve } from 'node:path';
import { EMBEDDED_DEV_JWT_SECRET } from './embedded-dev-jwt-secret.constant';
import { loadPlatformConfig, type Environment } from './platform-config';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const DISTRIBUTED: Environment = {
  MODE: 'distributed',
  JWT_SECRET: SECRET,
  ESDB_URL: 'esdb://localhost:2113?tls=false',
  KAFKA_BROKERS: 'localhost:9092',
  MONGO_URL: 'mongodb://localhost:27017/as2',
};

function rsaPublicKeyPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString().trim();
}

describe('loadPlatformConfig', () => {
  describe('defaults (embedded, nothing set)', () => {
    const config = loadPlatformConfig({});

    it('runs embedded on 127.0.0.1:3000 with ./data: the published dev secret is never exposed beyond this machine', () => {
      expect(config.mode).toBe('embedded');
      expect(config.port).toBe(3000);
      expect(config.host).toBe('127.0.0.1');
      expect(config.dataDir).toBe(resolve('./data'));
    });

    it('limits bodies to 1 MiB and requests to 30 s, logs at info, tolerates 5 s of clock skew', () => {
      expect(config.bodyLimitBytes).toBe(1048576);
      expect(config.requestTimeoutMs).toBe(30_000);
      expect(config.logLevel).toBe('info');
      expect(config.jwt.clockToleranceSeconds).toBe(5);
    });

    it('uses the dev JWT secret and warns loudly about it', () => {
      expect(config.jwt.key).toEqual({ kind: 'secret', secret: EMBEDDED_DEV_JWT_SECRET, isDevSecret: true });
      expect(config.warnings).toHaveLength(1);
      expect(config.warnings[0]).toMatch(/JWT_SECRET/);
    });

    it('checks issuer and audience only when set', () => {
      expect(config.jwt.issuer).toBeUndefined();
      expect(config.jwt.audience).toBeUndefined();
    });
  });

  describe('MODE', () => {
    it('accepts distributed', () => expect(loadPlatformConfig(DISTRIBUTED).mode).toBe('distributed'));
    it('rejects anything else, naming the variable', () =>
      expect(() => loadPlatformConfig({ MODE: 'cluster' })).toThrow('Invalid configuration: MODE must be "embedded" or "distributed", got "cluster"'));
  });

  describe('METRICS_TOKEN', () => {
    it('is none when unset or empty: /metrics public', () => {
      expect(loadPlatformConfig({}).metricsToken).toBeUndefined();
      expect(loadPlatformConfig({ METRICS_TOKEN: '' }).metricsToken).toBeUndefined();
    });
    it.each([' ', '   \t', 'short'])('rejects %p, naming the variable', (token) => expect(() => loadPlatformConfig({ METRICS_TOKEN: token })).toThrow('Invalid configuration: METRICS_TOKEN must be at least 16 characters'));
  });

  describe('PORT', () => {
    it('reads an integer', () => expect(loadPlatformConfig({ PORT: '8080' }).port).toBe(8080));
    it.each(['abc', '0', '65536', '80.5', '-1'])('rejects %p', (port) =>
      expect(() => loadPlatformConfig({ PORT: port })).toThrow(`Invalid configuration: PORT must be an integer 1-65535, got "${port}"`));
  });

  it('HOST and DATA_DIR are taken as given (DATA_DIR made absolute)', () => {
    const config = loadPlatformConfig({ HOST: '10.0.0.5', DATA_DIR: 'var/as2', JWT_SECRET: SECRET });
    expect(config.host).toBe('10.0.0.5');
    expect(config.dataDir).toBe(resolve('var/as2'));
  });

  describe('HOST', () => {
    it('defaults to every interface once a real JWT key is configured', () => {
      expect(loadPlatformConfig({ JWT_SECRET: SECRET }).host).toBe('0.0.0.0');
      expect(loadPlatformConfig(DISTRIBUTED).host).toBe('0.0.0.0');
      expect(loadPlatformConfig({ JWT_JWKS_URL: 'https://idp.example/jwks' }).host).toBe('0.0.0.0');
    });

    it('is loopback with the dev secret, set or implied: another address is refused, naming HOST', () => {
      expect(loadPlatformConfig({ JWT_SECRET: EMBEDDED_DEV_JWT_SECRET }).host).toBe('127.0.0.1');
      expect(loadPlatformConfig({}).warnings[0]).toMatch(/listens on a loopback address only/);
      for (const host of ['127.0.0.2', '::1', 'localhost', 'LOCALHOST', '127.1', '::ffff:127.0.0.1', '0:0:0:0:0:0:0:1']) expect(loadPlatformConfig({ HOST: host }).host).toBe(host);
      for (const env of [{ HOST: '0.0.0.0' }, { HOST: '::' }, { HOST: '10.0.0.5', JWT_SECRET: EMBEDDED_DEV_JWT_SECRET }, { HOST: 'as2-partners.internal' }]) {
        expect(() => loadPlatformConfig(env)).toThrow(/^Invalid configuration: HOST must be a loopback address .* while JWT_SECRET is unset or the documented development secret/);
      }
    });

    it.each(['::', '::1', 'localhost', 'as2-partners.internal'])('accepts %p', (host) => expect(loadPlatformConfig({ HOST: host, JWT_SECRET: SECRET }).host).toBe(host));

    it.each(['http://0.0.0.0', '0.0.0.0:3000', 'two words', '-bad-', '[::1]'])('rejects %p, naming the variable', (host) =>
      expect(() => loadPlatformConfig({ HOST: host })).toThrow(`Invalid configuration: HOST must be an IP address or a host name (e.g. 127.0.0.1, 0.0.0.0, ::), got "${host}"`));
  });

  describe('REQUEST_TIMEOUT_MS', () => {
    it('reads milliseconds', () => expect(loadPlatformConfig({ REQUEST_TIMEOUT_MS: '500' }).requestTimeoutMs).toBe(500));
    it.each(['0', '99', '3600001', '30s'])('rejects %p', (value) =>
      expect(() => loadPlatformConfig({ REQUEST_TIMEOUT_MS: value })).toThrow(`Invalid configuration: REQUEST_TIMEOUT_MS must be an integer 100-3600000, got "${value}"`));
  });

  it('treats an empty variable as unset', () => expect(loadPlatformConfig({ PORT: '' }).port).toBe(3000));

  describe('JWT key sources', () => {
    it('uses JWT_SECRET without a warning', () => {
      const config = loadPlatformConfig({ JWT_SECRET: SECRET });
      expect(config.jwt.key).toEqual({ kind: 'secret', secret: SECRET, isDevSecret: false });
      expect(config.warnings).toEqual([]);
    });

    it('rejects a short JWT_SECRET', () =>
      expect(() => loadPlatformConfig({ JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32 characters/));

    it('reads an RS256 public key, also with escaped newlines', () => {
      const pem = rsaPublicKeyPem();
      expect(loadPlatformConfig({ JWT_PUBLIC_KEY: pem }).jwt.key).toEqual({ kind: 'public-key', publicKeyPem: pem });
      const oneLine = pem.replace(/\n/g, '\\n');
      expect(loadPlatformConfig({ JWT_PUBLIC_KEY: oneLine }).jwt.key).toEqual({ kind: 'public-key', publicKeyPem: pem });
    });

    it('rejects a public key that is not an RSA PEM', () => {
      expect(() => loadPlatformConfig({ JWT_PUBLIC_KEY: 'not a key' })).toThrow(/JWT_PUBLIC_KEY must be an RSA public key/);
      const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ type: 'spki', format: 'pem' }).toString();
      expect(() => loadPlatformConfig({ JWT_PUBLIC_KEY: ec })).toThrow(/JWT_PUBLIC_KEY must be an RSA public key/);
    });

    it('reads a JWKS URL and rejects a non-http one', () => {
      expect(loadPlatformConfig({ JWT_JWKS_URL: 'https://idp.example/.well-known/jwks.json' }).jwt.key).toEqual({
        kind: 'jwks',
        jwksUrl: 'https://idp.example/.well-known/jwks.json',
      });
      expect(() => loadPlatformConfig({ JWT_JWKS_URL: 'ftp://idp.example/jwks' })).toThrow(/JWT_JWKS_URL must use https:\/\/ or http:\/\//);
      expect(() => loadPlatformConfig({ JWT_JWKS_URL: 'nope' })).toThrow(/JWT_JWKS_URL must be a URL/);
    });

    it('refuses two key sources at once', () =>
      expect(() => loadPlatformConfig({ JWT_SECRET: SECRET, JWT_JWKS_URL: 'https://idp.example/jwks' })).toThrow(
        /JWT_SECRET must not be combined with JWT_JWKS_URL/,
      ));

    it('requires a key source in distributed mode', () =>
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, JWT_SECRET: undefined })).toThrow(
        'Invalid configuration: JWT_SECRET or JWT_PUBLIC_KEY or JWT_JWKS_URL is required in distributed mode',
      ));

    it('refuses the dev secret in distributed mode', () =>
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, JWT_SECRET: EMBEDDED_DEV_JWT_SECRET })).toThrow(/must not be the documented embedded development secret/));

    it('reads issuer, audience and clock tolerance', () => {
      const jwt = loadPlatformConfig({ JWT_ISSUER: 'https://idp', JWT_AUDIENCE: 'as2-partners', JWT_CLOCK_TOLERANCE_SECONDS: '30' }).jwt;
      expect(jwt).toMatchObject({ issuer: 'https://idp', audience: 'as2-partners', clockToleranceSeconds: 30 });
    });

    it('rejects a bad clock tolerance', () =>
      expect(() => loadPlatformConfig({ JWT_CLOCK_TOLERANCE_SECONDS: 'soon' })).toThrow(/JWT_CLOCK_TOLERANCE_SECONDS must be an integer 0-300, got "soon"/));
  });

  describe('distributed mode infrastructure', () => {
    it('reads ESDB, Kafka and Mongo settings', () => {
      const config = loadPlatformConfig({ ...DISTRIBUTED, KAFKA_BROKERS: 'k1:9092, k2:9093,,' });
      expect(config.esdbUrl).toBe('esdb://localhost:2113?tls=false');
      expect(config.kafkaBrokers).toEqual(['k1:9092', 'k2:9093']);
      expect(config.mongoUrl).toBe('mongodb://localhost:27017/as2');
    });

    it.each(['ESDB_URL', 'KAFKA_BROKERS', 'MONGO_URL'])('requires %s', (name) =>
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, [name]: undefined })).toThrow(
        `Invalid configuration: ${name} is required in distributed mode`,
      ));

    it('uses EventStoreDB by default and the SQLite store when EVENT_STORE=sqlite (then ESDB_URL is not needed)', () => {
      expect(loadPlatformConfig(DISTRIBUTED).eventStore).toBe('esdb');
      const single = loadPlatformConfig({ ...DISTRIBUTED, ESDB_URL: undefined, EVENT_STORE: 'sqlite' });
      expect(single.eventStore).toBe('sqlite');
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, EVENT_STORE: 'postgres' })).toThrow(
        'Invalid configuration: EVENT_STORE must be "esdb" or "sqlite", got "postgres"',
      );
    });

    it('keeps the embedded mode on its SQLite event store', () => {
      expect(loadPlatformConfig({ JWT_SECRET: DISTRIBUTED.JWT_SECRET }).eventStore).toBe('sqlite');
      expect(() => loadPlatformConfig({ EVENT_STORE: 'esdb' })).toThrow('Invalid configuration: EVENT_STORE must be "sqlite" in embedded mode');
    });

    it('rejects URLs with the wrong scheme', () => {
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, ESDB_URL: 'http://localhost:2113' })).toThrow(/ESDB_URL must use esdb:\/\//);
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, MONGO_URL: 'postgres://x' })).toThrow(/MONGO_URL must use mongodb:\/\//);
    });

    it('rejects a broker without a port', () =>
      expect(() => loadPlatformConfig({ ...DISTRIBUTED, KAFKA_BROKERS: 'k1:9092,k2' })).toThrow(
        'Invalid configuration: KAFKA_BROKERS must be a comma list of host:port, got "k2"',
      ));
  });

  describe('BODY_LIMIT_BYTES and LOG_LEVEL', () => {
    it('reads a body limit', () => expect(loadPlatformConfig({ BODY_LIMIT_BYTES: '2048' }).bodyLimitBytes).toBe(2048));
    it('rejects a non-positive body limit', () =>
      expect(() => loadPlatformConfig({ BODY_LIMIT_BYTES: '0' })).toThrow('Invalid configuration: BODY_LIMIT_BYTES must be an integer >= 1, got "0"'));
    it('reads a log level case-insensitively', () => expect(loadPlatformConfig({ LOG_LEVEL: 'DEBUG' }).logLevel).toBe('debug'));
    it('rejects an unknown log level', () =>
      expect(() => loadPlatformConfig({ LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, got "loud"/));
  });

  describe('PRIVATE_ENDPOINTS_ALLOW', () => {
    it('is empty by default', () => expect(loadPlatformConfig({}).privateEndpointsAllow).toEqual([]));
    it('reads a comma list of CIDR ranges', () =>
      expect(loadPlatformConfig({ PRIVATE_ENDPOINTS_ALLOW: '10.20.0.0/16, fd00::/8' }).privateEndpointsAllow.map(([net, bits]) => `${net.toString()}/${bits}`)).toEqual([
        '10.20.0.0/16',
        'fd00::/8',
      ]));
    it('rejects anything else in one line naming the variable and the entry', () =>
      expect(() => loadPlatformConfig({ PRIVATE_ENDPOINTS_ALLOW: '10.0.0.0/8,192.168.1.1' })).toThrow(
        'Invalid configuration: PRIVATE_ENDPOINTS_ALLOW must be a comma list of CIDR ranges: "192.168.1.1" is not a CIDR range (e.g. 10.0.0.0/8 or fd00::/8)',
      ));
  });
});
