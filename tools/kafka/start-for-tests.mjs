// Starts a broker with the test-server provider, runs the given command with KAFKA_BROKERS set, then stops it:
// node tools/kafka/start-for-tests.mjs npx jest libs/messaging-kafka
import { spawnSync } from 'node:child_process';
import { provide } from '../test-servers/kafka.mjs';

const started = Date.now();
const kafka = await provide({ ci: process.env.CI === 'true' });
console.log(`[kafka] ${kafka.source} broker at ${kafka.env.KAFKA_BROKERS} ready in ${Date.now() - started} ms`);
let status = 0;
try {
  const [command, ...args] = process.argv.slice(2);
  if (command) status = spawnSync(command, args, { stdio: 'inherit', env: { ...process.env, ...kafka.env } }).status ?? 1;
} finally {
  const stopping = Date.now();
  await kafka.stop();
  console.log(`[kafka] stopped in ${Date.now() - stopping} ms`);
}
process.exit(status);
