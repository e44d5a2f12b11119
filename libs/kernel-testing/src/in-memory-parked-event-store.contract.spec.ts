import { InMemoryParkedEventStore } from './in-memory-parked-event-store';
import { parkedEventStoreContract } from './parked-event-store.contract';

parkedEventStoreContract('in memory', async () => ({ parked: new InMemoryParkedEventStore(), dispose: async () => undefined }));
