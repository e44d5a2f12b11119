import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadOrCreateTsaIdentity, startTsaServer, TimestampAuthority } from '@as2-partners/timestamping';
import { parseCliArguments, usage } from './src/cli-arguments';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(usage + '\n');
    return;
  }
  let options;
  try {
    options = parseCliArguments(argv);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const identity = loadOrCreateTsaIdentity(options.dir);
  // What `openssl ts -verify -CAfile` needs: the TSA certificate followed by its chain up to the root.
  const caFile = resolve(options.dir, 'tsa-ca-bundle.pem');
  writeFileSync(caFile, identity.certificatePem + identity.chainPem.join(''));
  const tsa = await startTsaServer({ authority: new TimestampAuthority(identity), port: options.port, host: options.host });
  process.stdout.write(JSON.stringify({ url: tsa.url, ca_file: caFile }) + '\n');
  const stop = (): void => {
    void tsa.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`tsa: ${(error as Error).message}\n`);
  process.exit(1);
});
