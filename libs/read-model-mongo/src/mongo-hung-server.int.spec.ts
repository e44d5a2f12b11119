import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { describeWithServer } from '@as2-partners/kernel-testing';
import { MongoReadModelStore } from './mongo-read-model-store';
import { isMongoUnreachable } from './mongo-unreachable';

/** A forward to the server that can be frozen: its connections stay open and carry nothing (a hung or frozen server). */
async function freezableForward(target: URL): Promise<{ readonly port: number; freeze(): void; close(): Promise<void> }> {
  let frozen = false;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    if (frozen) return;
    const upstream = connect(Number(target.port || 27017), target.hostname);
    sockets.add(upstream);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => {
      frozen = true;
      for (const socket of sockets) {
        socket.unpipe();
        socket.pause();
      }
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWithServer('MONGO_URL', 'MongoReadModelStore against a server that stops answering', (url) => {
  it('fails a request within its socket timeout (503 in the app), not after the driver notices 30-50 s later', async () => {
    const forward = await freezableForward(new URL(url));
    const store = await MongoReadModelStore.connect(`mongodb://127.0.0.1:${forward.port}/?directConnection=true`, {
      dbName: `test_hung_${Date.now().toString(36)}`,
      socketTimeoutMS: 1_000,
      serverSelectionTimeoutMS: 1_000,
      heartbeatFrequencyMS: 1_000,
    });
    try {
      const docs = store.collection<{ _id: string }>('hung');
      expect(await docs.get('nothing')).toBeNull();
      forward.freeze();
      const started = Date.now();
      const failed = await docs.get('nothing').then(
        () => null,
        (error: unknown) => error,
      );
      expect(isMongoUnreachable(failed)).toBe(true);
      // Its timeouts are 1 s; without them the request waited for the monitor (a 30 s connect timeout by default).
      expect(Date.now() - started).toBeLessThan(8_000);
    } finally {
      await store.close().catch(() => undefined);
      await forward.close();
    }
  }, 30_000);
});
