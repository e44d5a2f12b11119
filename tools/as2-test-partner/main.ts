import { parseCliArguments, usage } from './src/cli-arguments';
import { describeFault } from './src/fault';
import { startTestPartner } from './src/test-partner-server';

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
  const partner = await startTestPartner(options);
  process.stdout.write(
    JSON.stringify({ time: new Date().toISOString(), event: 'listening', url: partner.url, as2Id: options.as2Id, partnerAs2Id: options.partnerAs2Id, faults: (options.faults ?? []).map(describeFault) }) + '\n',
  );
  const stop = (): void => {
    void partner.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`as2-test-partner: ${(error as Error).message}\n`);
  process.exit(1);
});
