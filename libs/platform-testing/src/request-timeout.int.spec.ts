import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadPlatformConfig, Public } from '@as2-partners/platform';
import { createTestHttpApp } from './create-test-http-app';

const TIMEOUT_MS = 500;

interface Outcome {
  readonly response: string;
  readonly closedAfterMs: number;
}

/** Opens a raw connection, sends `start`, then dribbles one byte every 100 ms until the server closes it (a server that never does fails on the test's budget). */
function slowClient(port: number, start: string): Promise<Outcome> {
  return new Promise((done) => {
    const began = Date.now();
    let response = '';
    let drip: NodeJS.Timeout | undefined;
    // Dripping starts once the request line is out: a byte written while connecting would go first and spoil the method.
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(start);
      drip = setInterval(() => socket.writable && socket.write('x'), 100);
    });
    socket.on('data', (chunk) => (response += String(chunk)));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(drip);
      done({ response, closedAfterMs: Date.now() - began });
    });
  });
}

/** A route that reads a body (a request no route serves is answered before its body is read). */
@Controller('slow')
class SlowBodyController {
  @Public()
  @Post()
  take(@Body() body: unknown): unknown {
    return body;
  }
}

@Module({ controllers: [SlowBodyController] })
class RequestTimeoutTestModule {}

describe('a client that sends its request slowly', () => {
  let dataDir: string;
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-request-timeout-'));
    const config = loadPlatformConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error', REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) });
    app = await createTestHttpApp(RequestTimeoutTestModule, config);
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('the server is set to end a request whose headers or body are not in after REQUEST_TIMEOUT_MS, checking at least that often (Node\'s default waits 300 s)', () => {
    // connectionsCheckingInterval: the createServer option, kept on the server though its typings leave it out.
    const server = app.getHttpServer() as Server & { connectionsCheckingInterval: number };
    expect([server.requestTimeout, server.headersTimeout]).toEqual([TIMEOUT_MS, TIMEOUT_MS]);
    expect(server.connectionsCheckingInterval).toBeLessThanOrEqual(TIMEOUT_MS);
  });

  it('a body trickling in gets 408 and the connection closed once REQUEST_TIMEOUT_MS has passed', async () => {
    const outcome = await slowClient(port, 'POST /slow HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"name":"');
    expect(outcome.response).toMatch(/^HTTP\/1\.1 408 /);
    expect(JSON.parse(outcome.response.slice(outcome.response.indexOf('\r\n\r\n') + 4))).toEqual({ message: 'Request timeout', error: { type: 'invalid_request_error', code: 'REQUEST_TIMEOUT' } });
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
  });

  it('headers trickling in get the connection closed once REQUEST_TIMEOUT_MS has passed', async () => {
    const outcome = await slowClient(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    expect(outcome.response).toMatch(/^(HTTP\/1\.1 408 |$)/);
    expect(outcome.closedAfterMs).toBeGreaterThanOrEqual(TIMEOUT_MS);
  });
});
