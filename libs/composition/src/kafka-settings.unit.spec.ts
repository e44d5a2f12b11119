import { kafkaSettingsFrom } from './kafka-settings';

describe('kafkaSettingsFrom', () => {
  it('defaults: 6 partitions, the broker decides replication, a 10 s session with 3 s heartbeats', () => {
    expect(kafkaSettingsFrom({})).toEqual({ topicPartitions: 6, sessionTimeoutMs: 10_000, heartbeatIntervalMs: 3_000 });
  });

  it('reads every variable', () => {
    const env = { KAFKA_TOPIC_PARTITIONS: '12', KAFKA_REPLICATION_FACTOR: '3', KAFKA_SESSION_TIMEOUT_MS: '30000', KAFKA_HEARTBEAT_INTERVAL_MS: '5000', KAFKA_TOPIC_PREFIX: 'eu1.staging' };
    expect(kafkaSettingsFrom(env)).toEqual({
      topicPartitions: 12,
      replicationFactor: 3,
      sessionTimeoutMs: 30_000,
      heartbeatIntervalMs: 5_000,
      topicPrefix: 'eu1.staging',
    });
  });

  it.each([
    [{ KAFKA_TOPIC_PARTITIONS: '0' }, 'KAFKA_TOPIC_PARTITIONS'],
    [{ KAFKA_REPLICATION_FACTOR: 'three' }, 'KAFKA_REPLICATION_FACTOR'],
    [{ KAFKA_SESSION_TIMEOUT_MS: '1000' }, 'KAFKA_SESSION_TIMEOUT_MS'],
    [{ KAFKA_SESSION_TIMEOUT_MS: '9000', KAFKA_HEARTBEAT_INTERVAL_MS: '4000' }, 'KAFKA_HEARTBEAT_INTERVAL_MS'],
    [{ KAFKA_TOPIC_PREFIX: 'staging.' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_TOPIC_PREFIX: 'a..b' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_TOPIC_PREFIX: 'prod/eu' }, 'KAFKA_TOPIC_PREFIX'],
    [{ KAFKA_TOPIC_PREFIX: 'x'.repeat(101) }, 'KAFKA_TOPIC_PREFIX'],
  ])('%j fails naming %s', (env, variable) => {
    expect(() => kafkaSettingsFrom(env)).toThrow(new RegExp(`^Invalid configuration: ${variable} `));
  });
});
