import { checkpointContract, eventStoreContract } from './event-store.contract';
import { InMemoryCheckpointStore } from './in-memory-checkpoint-store';
import { InMemoryEventStore } from './in-memory-event-store';

eventStoreContract('InMemoryEventStore', async () => {
  const store = new InMemoryEventStore();
  return { store, cleanup: () => store.close() };
});

checkpointContract('InMemoryCheckpointStore', async () => ({ checkpoints: new InMemoryCheckpointStore(), cleanup: async () => undefined }));
