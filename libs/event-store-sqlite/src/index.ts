export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SqliteCheckpointStore } from './sqlite-checkpoint-store';
export { SqliteSnapshotStore } from './sqlite-snapshot-store';
