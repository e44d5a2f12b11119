import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseFault } from './fault';
import { defaultMaxBodyBytes, defaultPath, defaultRequestTimeoutMs, type TestPartnerOptions } from './test-partner-options';

export const usage = `Usage: npm run as2-test-partner -- --as2-id ID --key FILE --cert FILE --partner-as2-id ID --partner-cert FILE [options]
  --port N                 listen port (default 0: any free port)
  --host ADDRESS           listen address (default 127.0.0.1)
  --path /as2              URL path AS2 messages are posted to
  --inbox DIR              write received payloads here
  --tls-key FILE --tls-cert FILE   serve HTTPS
  --fault F                wrong-mic|mislabelled-mic|unsigned-mdn|http-500|slow:<ms>|drop (repeatable)
  --max-body-bytes N       refuse larger messages with 413 (default ${defaultMaxBodyBytes})
  --request-timeout-ms N   cut off slower requests (default ${defaultRequestTimeoutMs})`;

function readPem(flag: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`${flag} ${file}: ${(error as Error).message}`);
  }
}

function nonNegativeInteger(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`${flag} must be a non-negative integer, got "${text}"`);
  return Number(text);
}

/** Turns the command line into options, reading the PEM files; throws an Error naming the faulty flag. */
export function parseCliArguments(argv: string[]): TestPartnerOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      path: { type: 'string' },
      'as2-id': { type: 'string' },
      key: { type: 'string' },
      cert: { type: 'string' },
      'partner-as2-id': { type: 'string' },
      'partner-cert': { type: 'string' },
      inbox: { type: 'string' },
      'tls-key': { type: 'string' },
      'tls-cert': { type: 'string' },
      fault: { type: 'string', multiple: true },
      'max-body-bytes': { type: 'string' },
      'request-timeout-ms': { type: 'string' },
    },
  });
  const required = (flag: 'as2-id' | 'key' | 'cert' | 'partner-as2-id' | 'partner-cert'): string => {
    const value = values[flag];
    if (!value) throw new Error(`--${flag} is required`);
    return value;
  };
  if (Boolean(values['tls-key']) !== Boolean(values['tls-cert'])) throw new Error('--tls-key and --tls-cert go together');
  const path = values.path ?? defaultPath;
  if (!path.startsWith('/')) throw new Error(`--path must start with "/", got "${path}"`);
  const port = nonNegativeInteger('--port', values.port);
  if (port !== undefined && port > 65535) throw new Error(`--port must be at most 65535, got ${port}`);
  return {
    port,
    host: values.host,
    path,
    as2Id: required('as2-id'),
    keyPem: readPem('--key', required('key')),
    certPem: readPem('--cert', required('cert')),
    partnerAs2Id: required('partner-as2-id'),
    partnerCertPem: readPem('--partner-cert', required('partner-cert')),
    inboxDir: values.inbox,
    tls: values['tls-key'] && values['tls-cert']
      ? { keyPem: readPem('--tls-key', values['tls-key']), certPem: readPem('--tls-cert', values['tls-cert']) }
      : undefined,
    faults: (values.fault ?? []).map(parseFault),
    maxBodyBytes: nonNegativeInteger('--max-body-bytes', values['max-body-bytes']),
    requestTimeoutMs: nonNegativeInteger('--request-timeout-ms', values['request-timeout-ms']),
  };
}
