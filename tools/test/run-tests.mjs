#!/usr/bin/env node
// `npm test`: provisions the servers the integration suites need (env vars → testcontainers → local servers
// built from the registries), runs every jest project once, stops the servers, and prints the totals as one
// plain line `N passed, M failed`. Extra arguments go to jest (`npm test -- libs/kernel`).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const ci = process.env.CI === 'true';
const servers = [
  { name: 'kafka', variable: 'KAFKA_BROKERS', label: 'Kafka' },
  { name: 'mongo', variable: 'MONGO_URL', label: 'MongoDB wire' },
  { name: 'esdb', variable: 'ESDB_URL', label: 'EventStoreDB' },
  { name: 'mailpit', variable: 'SMTP_URL', label: 'Mailpit (SMTP)' },
];

const log = (line) => process.stderr.write(`[test-servers] ${line}\n`);

async function provideServer({ name, variable, label }) {
  const file = join(root, 'tools', 'test-servers', `${name}.mjs`);
  if (!existsSync(file)) {
    log(`${label}: no provider (${file}); suites needing ${variable} ${ci ? 'will fail' : 'will skip'}`);
    return null;
  }
  const started = Date.now();
  try {
    const { provide } = await import(pathToFileURL(file).href);
    const server = await provide({ ci });
    Object.assign(process.env, server.env);
    log(`${label}: ${variable}=${server.env[variable]} (${server.source}, ready in ${Date.now() - started} ms)`);
    return server;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    log(`${label}: not available: ${reason}`);
    return null;
  }
}

function runJest(args) {
  mkdirSync(join(root, 'tmp'), { recursive: true });
  const results = join(root, 'tmp', `jest-results-${process.pid}.json`);
  const jestBin = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
  const child = spawn(process.execPath, [jestBin, '--ci', '--maxWorkers=2', '--forceExit', '--json', `--outputFile=${results}`, ...args], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: process.env,
  });
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), results }));
  });
}

function totalsLine(resultsFile, code) {
  // No results: jest ran no suite (--listTests, --help), which is no failure when it says so; or it broke, which is one.
  if (!existsSync(resultsFile)) return code === 0 ? '0 passed, 0 failed' : '0 passed, 1 failed';
  const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
  // A suite that fails to load counts as a failure even though it ran no test.
  const brokenSuites = r.testResults.filter((s) => s.status === 'failed' && s.assertionResults.length === 0).length;
  const skipped = r.numPendingTests + r.numTodoTests;
  return `${r.numPassedTests} passed, ${r.numFailedTests + brokenSuites} failed${skipped ? `, ${skipped} skipped` : ''}`;
}

const provided = [];
let stopping = false;
async function stopAll() {
  if (stopping) return;
  stopping = true;
  await Promise.allSettled(provided.map((s) => s.stop()));
}
process.on('SIGINT', () => void stopAll().then(() => process.exit(130)));
process.on('SIGTERM', () => void stopAll().then(() => process.exit(143)));

/** Jest options that run no test: no server is provisioned for them. */
const RUNS_NO_TEST = new Set(['--listTests', '--help', '-h', '--version', '-v', '--showConfig']);
// `--listTests` or `--listTests=true` (jest takes both); `--listTests=false` runs the tests.
const runsNoTest = process.argv.slice(2).some((arg) => RUNS_NO_TEST.has(arg.split('=')[0]) && !/=false$/i.test(arg));
const wanted = process.env.TEST_SERVERS === 'none' || runsNoTest ? [] : servers;
for (const server of await Promise.all(wanted.map(provideServer))) if (server) provided.push(server);

let outcome;
try {
  outcome = await runJest(process.argv.slice(2));
} finally {
  await stopAll();
}
process.stdout.write(`${totalsLine(outcome.results, outcome.code)}\n`);
process.exit(outcome.code);
