export { SqliteEventStore, type SqliteEventStoreOptions } from './sqlite-event-store';
export { SqliteCheckpointStore } from './sqlite-checkpoint-store';
export { EventStoreLockedError, SqliteWriterLock } from './sqlite-writer-lock';
