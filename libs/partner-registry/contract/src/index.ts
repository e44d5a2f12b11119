export * from './partner-registry-topic';
export * from './partner-registry-event-types';
export * from './partner-registry-payloads';
export * from './partner-registry-event-reading';
