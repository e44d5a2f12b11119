export * from './certificate-lifecycle-topic';
export * from './certificate-lifecycle-event-types';
export * from './certificate-lifecycle-payloads';
export * from './certificate-lifecycle-event-reading';
