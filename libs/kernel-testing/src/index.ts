export * from './integration-server';
export * from './event-store.contract';
export * from './read-model-store.contract';
