#!/usr/bin/env node
// Mints an HS256 bearer token for local use: npm run mint-token -- --sub alice --account acme --tenant t1 --roles tenant_admin --ttl 3600
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';

const ROLES = ['account_admin', 'tenant_admin', 'tenant_user', 'operator', 'gateway'];
const devSecretFile = new URL('../../libs/platform/src/config/embedded-dev-jwt-secret.json', import.meta.url);

const USAGE = `usage: npm run mint-token -- --sub <user> --account <account> [--tenant <tenant>] --roles <role,role> [--ttl <seconds>]\n  roles: ${ROLES.join(', ')}\n`;

function fail(message) {
  process.stderr.write(`mint-token: ${message}\n`);
  process.stderr.write(USAGE);
  process.exit(2);
}

if (process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h')) {
  process.stdout.write(USAGE);
  process.exit(0);
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      sub: { type: 'string' },
      account: { type: 'string' },
      tenant: { type: 'string' },
      roles: { type: 'string' },
      ttl: { type: 'string', default: '3600' },
    },
    strict: true,
  }));
} catch (error) {
  fail(error.message);
}

if (!values.sub) fail('--sub is required');
if (!values.account) fail('--account is required');
if (!values.roles) fail(`--roles is required (comma list of ${ROLES.join(', ')})`);
const roles = [...new Set(values.roles.split(',').map((r) => r.trim()).filter(Boolean))];
const unknown = roles.filter((r) => !ROLES.includes(r));
if (roles.length === 0 || unknown.length > 0) fail(`--roles must be a comma list of ${ROLES.join(', ')}, got "${values.roles}"`);
if (!values.tenant && !roles.includes('account_admin') && !roles.includes('operator') && !roles.includes('gateway')) {
  fail('--tenant is required unless --roles includes account_admin, operator or gateway');
}
if (!/^\d+$/.test(values.ttl) || Number(values.ttl) < 1) fail(`--ttl must be a positive number of seconds, got "${values.ttl}"`);

let secret = process.env.JWT_SECRET?.trim();
if (!secret) {
  secret = JSON.parse(readFileSync(devSecretFile, 'utf8')).secret;
  process.stderr.write('mint-token: WARNING: JWT_SECRET is unset, signing with the documented embedded development secret.\n');
}

const claims = { account: values.account, roles };
if (values.tenant) claims.tenant = values.tenant;
const jwt = new SignJWT(claims)
  .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
  .setSubject(values.sub)
  .setIssuedAt()
  .setExpirationTime(Math.floor(Date.now() / 1000) + Number(values.ttl));
// The server checks issuer and audience only when configured; a token minted under the same environment matches.
if (process.env.JWT_ISSUER?.trim()) jwt.setIssuer(process.env.JWT_ISSUER.trim());
if (process.env.JWT_AUDIENCE?.trim()) jwt.setAudience(process.env.JWT_AUDIENCE.trim());

process.stdout.write(`${await jwt.sign(new TextEncoder().encode(secret))}\n`);
