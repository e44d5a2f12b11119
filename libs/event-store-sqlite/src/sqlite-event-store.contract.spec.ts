import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkpointContract, eventStoreContract } from '@as2-partners/kernel-testing';
import { SqliteEventStore } from './sqlite-event-store';

async function openTemporaryStore() {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
  const store = await SqliteEventStore.open(join(dir, 'events.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

eventStoreContract('SqliteEventStore', openTemporaryStore);

checkpointContract('SqliteCheckpointStore', async () => {
  const { store, cleanup } = await openTemporaryStore();
  return { checkpoints: store.checkpointStore(), cleanup };
});
