export * from './cloud-event-headers';
export * from './kafka-event-record';
export * from './kafka-event-bus';
