import { topicPrefixProblem } from '@as2-partners/kernel';
import { InvalidConfigurationError, readInteger, readString, type Environment } from '@as2-partners/platform';

/** How the services use Kafka: topic layout and consumer-group timing. */
export interface KafkaSettings {
  /** `KAFKA_TOPIC_PARTITIONS` (default 6): partitions of the topics a service creates, so consumer groups scale across replicas. */
  readonly topicPartitions: number;
  /** `KAFKA_REPLICATION_FACTOR`; unset: the broker's default.replication.factor (at most the brokers there are). */
  readonly replicationFactor?: number;
  /** `KAFKA_SESSION_TIMEOUT_MS` (default 10000): a crashed consumer's partitions move to the others after this, not 30 s. */
  readonly sessionTimeoutMs: number;
  /** `KAFKA_HEARTBEAT_INTERVAL_MS` (default 3000): at most a third of the session timeout. */
  readonly heartbeatIntervalMs: number;
  /**
   * `KAFKA_TOPIC_PREFIX` (default none): every topic on the cluster is `<prefix>.as2.<service>.events`, so deployments
   * sharing a cluster (staging beside production) never read each other's events. Every service of a deployment needs the same one.
   */
  readonly topicPrefix?: string;
}

/** Read once at start-up; a bad value stops the process naming the variable. */
export function kafkaSettingsFrom(env: Environment): KafkaSettings {
  const topicPartitions = readInteger(env, 'KAFKA_TOPIC_PARTITIONS', 6, 1, 10_000);
  const replicationFactor = readString(env, 'KAFKA_REPLICATION_FACTOR') === undefined ? undefined : readInteger(env, 'KAFKA_REPLICATION_FACTOR', 1, 1, 32);
  // The broker refuses sessions outside group.min/max.session.timeout.ms (6 s and 30 min by default).
  const sessionTimeoutMs = readInteger(env, 'KAFKA_SESSION_TIMEOUT_MS', 10_000, 6_000, 1_800_000);
  const heartbeatIntervalMs = readInteger(env, 'KAFKA_HEARTBEAT_INTERVAL_MS', 3_000, 100, 600_000);
  if (heartbeatIntervalMs * 3 > sessionTimeoutMs) {
    throw new InvalidConfigurationError('KAFKA_HEARTBEAT_INTERVAL_MS', `must be at most a third of KAFKA_SESSION_TIMEOUT_MS (${sessionTimeoutMs}), got "${heartbeatIntervalMs}"`);
  }
  const topicPrefix = readString(env, 'KAFKA_TOPIC_PREFIX');
  const prefixProblem = topicPrefix === undefined ? null : topicPrefixProblem(topicPrefix);
  if (prefixProblem) throw new InvalidConfigurationError('KAFKA_TOPIC_PREFIX', `must be ${prefixProblem}, got "${topicPrefix}"`);
  return {
    topicPartitions,
    ...(replicationFactor === undefined ? {} : { replicationFactor }),
    sessionTimeoutMs,
    heartbeatIntervalMs,
    ...(topicPrefix === undefined ? {} : { topicPrefix }),
  };
}
