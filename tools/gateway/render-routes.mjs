#!/usr/bin/env node
// Renders the public route table (gateway/routes.json) into the compose reverse proxy (gateway/nginx.conf) and the
// Kubernetes Ingress (k8s/base/gateway-ingress.yaml). `--check` renders in memory and fails when a file differs.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The services' own answer to a body over their limit (BODY_LIMIT_BYTES), for the gateway's limit too. */
export const PAYLOAD_TOO_LARGE = JSON.stringify({ message: 'The request body is too large.', error: { type: 'invalid_request_error', code: 'PAYLOAD_TOO_LARGE' } });

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const table = JSON.parse(readFileSync(join(root, 'gateway', 'routes.json'), 'utf8'));
const HEADER = 'Generated from gateway/routes.json by tools/gateway/render-routes.mjs: edit the table, not this file.';

export function renderNginx({ services, routes, default: fallback }) {
  const location = (match, service) => [
    `    location ${match} {`,
    `        proxy_pass http://${services[service].upstream};`,
    '    }',
  ];
  return [
    `# ${HEADER}`,
    '# One public base URL for the compose stack: regex locations in table order (nginx takes the first that matches),',
    '# then the default service for the rest.',
    'worker_processes 1;',
    'pid /tmp/nginx.pid;',
    'events { worker_connections 1024; }',
    'http {',
    '    client_body_temp_path /tmp/client_body;',
    '    proxy_temp_path /tmp/proxy;',
    '    fastcgi_temp_path /tmp/fastcgi;',
    '    uwsgi_temp_path /tmp/uwsgi;',
    '    scgi_temp_path /tmp/scgi;',
    '    access_log off;',
    '    client_max_body_size 2m;',
    '    proxy_http_version 1.1;',
    '    proxy_set_header Host $host;',
    '    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '    proxy_set_header X-Forwarded-Proto $scheme;',
    '    proxy_read_timeout 60s;',
    '    server {',
    '        listen 8080;',
    // A body past client_max_body_size is refused by nginx itself: in the services' error shape, not nginx's HTML page.
    '        error_page 413 @payload_too_large;',
    '        location @payload_too_large {',
    '            default_type application/json;',
    `            return 413 '${PAYLOAD_TOO_LARGE}';`,
    '        }',
    ...routes.flatMap((route) => location(`~ ${route.path}`, route.service).map((line) => `    ${line}`)),
    ...location('/', fallback).map((line) => `    ${line}`),
    '    }',
    '}',
    '',
  ].join('\n');
}

export function renderIngress({ services, routes, default: fallback }) {
  const path = (regex, service) => [
    `          - path: ${JSON.stringify(regex)}`,
    '            pathType: ImplementationSpecific',
    '            backend:',
    `              service: { name: ${services[service].k8sService}, port: { number: ${services[service].k8sPort} } }`,
  ];
  return [
    `# ${HEADER}`,
    '# One public base URL: ingress-nginx (IngressClass "nginx") with regex paths. ingress-nginx orders regex locations',
    '# longest first, and every service route below is longer than the catch-all "/".',
    'apiVersion: networking.k8s.io/v1',
    'kind: Ingress',
    'metadata:',
    '  name: as2-partners',
    '  annotations:',
    '    nginx.ingress.kubernetes.io/use-regex: "true"',
    '    nginx.ingress.kubernetes.io/proxy-body-size: 2m',
    'spec:',
    '  ingressClassName: nginx',
    '  rules:',
    '    - http:',
    '        paths:',
    // ingress-nginx writes each path as `location ~* "^<path>"`: it anchors the path itself.
    ...routes.flatMap((route) => path(route.path.replace(/^\^/, ''), route.service)),
    ...path('/', fallback),
    '',
  ].join('\n');
}

const outputs = [
  [join(root, 'gateway', 'nginx.conf'), renderNginx(table)],
  [join(root, 'k8s', 'base', 'gateway-ingress.yaml'), renderIngress(table)],
];
if (process.argv.includes('--check')) {
  const stale = outputs.filter(([file, text]) => {
    try {
      return readFileSync(file, 'utf8') !== text;
    } catch {
      return true;
    }
  });
  for (const [file] of stale) process.stderr.write(`${file} is not what gateway/routes.json renders: run node tools/gateway/render-routes.mjs\n`);
  process.exit(stale.length === 0 ? 0 : 1);
} else {
  for (const [file, text] of outputs) writeFileSync(file, text);
}
