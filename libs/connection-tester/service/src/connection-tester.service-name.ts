/** The service's name: its Kafka topic is `as2.connection-tester.events`. */
export const CONNECTION_TESTER_SERVICE = 'connection-tester';
