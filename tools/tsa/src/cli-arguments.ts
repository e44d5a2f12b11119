import { parseArgs } from 'node:util';

export const usage = `Usage: npm run tsa -- [--port 3180] [--host 127.0.0.1] [--dir tools/.local/tsa]
  --port N        listen port (default 3180; 0 picks a free port)
  --host ADDRESS  listen address (default 127.0.0.1)
  --dir DIR       where the TSA key, certificate and chain are kept (created on first run)`;

export interface TsaCliOptions {
  readonly port: number;
  readonly host: string;
  readonly dir: string;
}

/** Turns the command line into options; throws an Error naming the faulty flag. */
export function parseCliArguments(argv: string[]): TsaCliOptions {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { port: { type: 'string' }, host: { type: 'string' }, dir: { type: 'string' } },
  });
  const port = values.port ?? '3180';
  if (!/^\d+$/.test(port) || Number(port) > 65535) throw new Error(`--port must be an integer from 0 to 65535, got "${port}"`);
  if (values.dir === '') throw new Error('--dir must not be empty');
  return { port: Number(port), host: values.host || '127.0.0.1', dir: values.dir ?? 'tools/.local/tsa' };
}
