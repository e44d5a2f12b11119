export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SqliteCheckpointStore } from './sqlite-checkpoint-store';
export { SNAPSHOT_PART_SIZE, SqliteSnapshotStore } from './sqlite-snapshot-store';
export { EventStoreLockedError, SqliteWriterLock } from './sqlite-writer-lock';
export { SqliteSecretStore, type SqliteSecretStoreOptions } from './sqlite-secret-store';
