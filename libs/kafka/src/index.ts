/**
 * Kafka foundation under the stream runtime: client factory, topic administration, sending a
 * step's records inside a transaction, dead-letter records, and reading a topic to its end (restore).
 */
export { createKafkaClient, producerConfig, type KafkaClientSettings } from './kafka-client.factory';
export {
  KAFKA_SASL_MECHANISMS,
  saslCredentials,
  type KafkaSaslMechanism,
  type KafkaSaslSettings,
  type KafkaTlsSettings,
} from './kafka-security.options';
export { type KafkaLogSink, type ServiceLogLevel } from './kafka-log.bridge';
export {
  auditTrailTopic,
  changelogTopic,
  compactedForeverTopic,
  streamTopic,
  withReplication,
  type TopicReplication,
  type TopicSpec,
} from './topic-spec.types';
export {
  assertTopicsMatch,
  ensureTopics,
  TopicPartitionMismatchError,
  type EnsureTopicsReport,
  type PartitionCountMismatch,
} from './topic.admin';
export { recordBytes, sendInTransaction, topicMessages } from './transaction-send';
export { waitForTopicLeaders } from './topic-leaders.wait';
export { type OutputRecord } from './output-record.types';
export { buildDeadLetter, DEAD_LETTER_HEADERS, type DeadLetterInput } from './dead-letter.builder';
export { readTopicToEnd, type ReadTopicToEndOptions } from './topic-to-end.reader';
