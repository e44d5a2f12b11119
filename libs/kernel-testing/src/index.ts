export * from './integration-server';
export * from './event-store.contract';
export * from './read-model-store.contract';
export * from './in-memory-event-store';
export * from './in-memory-checkpoint-store';
export * from './event-bus.contract';
export * from './decider-specification';
