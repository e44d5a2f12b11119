import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Body, Controller, Module, Post } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadPlatformConfig, Public } from '@as2-partners/platform';
import { createTestHttpApp } from './create-test-http-app';

/** Sends the bytes on one connection and returns everything the server wrote before it closed it. */
function exchange(port: number, bytes: string): Promise<string> {
  return new Promise((done, fail) => {
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    const giveUp = setTimeout(() => socket.destroy(new Error('the server kept the connection open')), 15_000);
    socket.on('data', (chunk) => (received += String(chunk)));
    socket.on('error', (error) => (error.message.startsWith('the server kept') ? fail(error) : undefined));
    socket.on('close', () => {
      clearTimeout(giveUp);
      done(received);
    });
  });
}

const BAD_REQUEST = { message: 'Bad request', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } };

/** A route that reads a JSON body. */
@Controller('echo')
class EchoController {
  @Post()
  @Public()
  echo(@Body() body: object): object {
    return body;
  }
}

@Module({ controllers: [EchoController] })
class ClientErrorsTestModule {}

describe("requests Node's HTTP parser refuses, over a socket", () => {
  let dataDir: string;
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'as2-client-errors-'));
    app = await createTestHttpApp(ClientErrorsTestModule, loadPlatformConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'error' }));
    await app.listen(0, '127.0.0.1');
    port = (app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each([
    ['Content-Length with Transfer-Encoding', 'POST /v1/partners HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['two Content-Length headers', 'POST /v1/traffic/decisions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}'],
    ['a request line that is not HTTP', 'HELLO\r\n\r\n'],
  ])('%s: 400 in the house error shape, the connection closed, nothing after it answered', async (_name, bytes) => {
    const answer = await exchange(port, `${bytes}GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(answer.match(/HTTP\/1\.1 /g)).toHaveLength(1);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(BAD_REQUEST);
  });

  it('a chunked body the parser refuses (a chunk size that is no number): 400 at once, not the request timeout\'s 408; after an answered request, 400 after its answer', async () => {
    const invalidChunk = 'POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{"a":1}\r\n0\r\n\r\n';
    const answer = await exchange(port, invalidChunk);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual(BAD_REQUEST);
    const after = await exchange(port, `POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"a":1}${invalidChunk}`);
    expect(after.match(/HTTP\/1\.1 \d{3} [^\r]*/g)).toEqual(['HTTP/1.1 201 Created', 'HTTP/1.1 400 Bad Request']);
  });

  it('two requests sent at once on one connection (pipelined): both answered, in order, and the server goes on', async () => {
    const answer = await exchange(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nothing-here HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(answer.split(/(?=HTTP\/1\.1 \d{3} )/).map((part) => part.split('\r\n')[0])).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found']);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
  });

  it('an HTTP/1.1 request without Host: 400 in the house error shape; the next request on the connection is answered', async () => {
    const answer = await exchange(port, 'GET /health/live HTTP/1.1\r\n\r\nGET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const [refused, next] = answer.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(refused?.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(JSON.parse((refused as string).slice((refused as string).indexOf('\r\n\r\n') + 4))).toEqual({ message: 'An HTTP/1.1 request needs a Host header', error: { type: 'invalid_request_error', code: 'BAD_REQUEST' } });
    expect(next?.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('an HTTP/1.0 request without Host is answered (Host is HTTP/1.1\'s rule)', async () => {
    const answer = await exchange(port, 'GET /health/live HTTP/1.0\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('an Expect other than 100-continue: 417 in the house error shape (its body dropped), and the connection goes on', async () => {
    const answer = await exchange(
      port,
      'POST /v1/partners HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    const [refused, next] = answer.split(/(?=HTTP\/1\.1 \d{3} )/);
    expect(refused?.split('\r\n')[0]).toBe('HTTP/1.1 417 Expectation Failed');
    expect(JSON.parse((refused as string).slice((refused as string).indexOf('\r\n\r\n') + 4))).toEqual({
      message: 'Only the 100-continue expectation can be met',
      error: { type: 'invalid_request_error', code: 'EXPECTATION_FAILED' },
    });
    expect(next?.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });

  it('Expect: 100-continue still gets its interim 100, then the route', async () => {
    const answer = await exchange(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n');
    expect(answer.match(/HTTP\/1\.1 \d{3}/g)).toEqual(['HTTP/1.1 100', 'HTTP/1.1 200']);
  });

  it('CONNECT after pipelined requests: their answers first, in order, then its 405', async () => {
    const answer = await exchange(port, 'GET /health/live HTTP/1.1\r\nHost: x\r\n\r\nGET /v1/nothing-here HTTP/1.1\r\nHost: x\r\n\r\nCONNECT internal.example:443 HTTP/1.1\r\nHost: internal.example:443\r\n\r\n');
    expect(answer.match(/HTTP\/1\.1 \d{3} [^\r]*/g)).toEqual(['HTTP/1.1 200 OK', 'HTTP/1.1 404 Not Found', 'HTTP/1.1 405 Method Not Allowed']);
  });

  it('CONNECT: 405 in the house error shape, then the connection closed', async () => {
    const answer = await exchange(port, 'CONNECT internal.example:443 HTTP/1.1\r\nHost: internal.example:443\r\n\r\n');
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 405 Method Not Allowed');
    expect(JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toEqual({ message: 'The CONNECT method is not allowed here', error: { type: 'invalid_request_error', code: 'METHOD_NOT_ALLOWED' } });
  });
});
