import { checkpointContract, describeWithServer, eventStoreContract } from '@as2-partners/kernel-testing';
import { EsdbEventStore } from './esdb-event-store';

describeWithServer(
  'ESDB_URL',
  'EsdbEventStore against EventStoreDB',
  (url) => {
    eventStoreContract('EsdbEventStore', async () => {
      const store = await EsdbEventStore.connect(url);
      return { store, cleanup: () => store.close() };
    });

    checkpointContract('EsdbCheckpointStore', async () => {
      const store = await EsdbEventStore.connect(url);
      return { checkpoints: store.checkpointStore(), cleanup: () => store.close() };
    });
  },
  {
    allowedMissingInCi:
      'EventStoreDB: no ESDB_URL and no container runtime here; this suite runs under testcontainers where Docker answers',
  },
);
