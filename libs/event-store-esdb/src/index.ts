export { EsdbEventStore } from './esdb-event-store';
export { EsdbCheckpointStore } from './esdb-checkpoint-store';
