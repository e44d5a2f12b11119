import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { createEmbeddedTestApp, type EmbeddedTestApp } from '@as2-partners/platform-testing';
import { AllInOneModule } from '../all-in-one.module';

/** Resolves with everything the server wrote on the connection once it closes it. */
const answerOf = (socket: Socket): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    socket.on('data', (chunk) => (text += String(chunk)));
    socket.on('close', () => resolve(text));
  });

describe('a stop (SIGTERM) while a write is being answered', () => {
  let t: EmbeddedTestApp;
  afterAll(async () => {
    await t?.close().catch(() => undefined);
  });

  it("answers the write as visible (201) with the followers it waits for still running, before they stop", async () => {
    t = await createEmbeddedTestApp({ imports: [AllInOneModule] });
    await t.app.listen(0, '127.0.0.1');
    const server = t.app.getHttpServer() as Server;
    const accepted: Socket[] = [];
    server.on('connection', (socket: Socket) => accepted.push(socket));
    const body = JSON.stringify({ name: 'Stopping Partner', as2_id: 'STOPPING-1', url: 'https://stopping.example.com/as2' });
    const head = `POST /v1/partners HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${t.token({ tenant: 'stopping' })}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`;
    const client = await new Promise<Socket>((resolve) => {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1', () => resolve(socket));
    });
    const answer = answerOf(client);
    // The request is being answered (its headers read) when the stop begins; its body comes after.
    client.write(head);
    while (!accepted.some((socket) => socket.bytesRead >= Buffer.byteLength(head))) await new Promise((resolve) => setImmediate(resolve));
    const stopped = t.app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    client.write(body);
    const text = await answer;
    await stopped;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 201 Created');
    expect(JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4))).toMatchObject({ data: { as2_id: 'STOPPING-1' } });
  });
});
