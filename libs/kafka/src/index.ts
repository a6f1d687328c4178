/**
 * Kafka foundation: client factory, topic administration, and the exactly-once batch runner
 * (consume → handle → produce + offsets in one transaction) the policy engine is built on.
 */
export {
  createKafkaClient,
  parseBrokers,
  producerConfig,
  type KafkaClientSettings,
} from './kafka-client.factory';
export {
  kafkaLogCreator,
  toKafkaLogLevel,
  type KafkaLogSink,
  type ServiceLogLevel,
} from './kafka-log.bridge';
export { auditTrailTopic, changelogTopic, streamTopic, type TopicSpec } from './topic-spec.types';
export {
  assertTopicsMatch,
  ensureTopics,
  TopicPartitionMismatchError,
  type EnsureTopicsReport,
  type PartitionCountMismatch,
} from './topic.admin';
export { chunkRecords, MAX_CHUNK_BYTES, sendInTransaction, topicMessages } from './transaction-send';
export { isLeadershipPending, retryWhileLeadershipPending, waitForTopicLeaders } from './topic-leaders.wait';
export { TransactionalBatchProcessor } from './transactional-batch.processor';
export { transactionalIdFor } from './partition-producer.pool';
export {
  type BatchCommittedEvent,
  type BatchHandler,
  type BatchOutput,
  type BatchProcessorObserver,
  type BatchRetriedEvent,
  type InputBatch,
  type OutputRecord,
  type RetryBackoff,
  type TransactionalBatchProcessorOptions,
} from './batch-processor.types';
export { TransientError, isTransient } from './transient.error';
export { buildDeadLetter, DEAD_LETTER_HEADERS, type DeadLetterInput } from './dead-letter.builder';
export { readLatestByKey, readTopicToEnd, type ReadTopicToEndOptions } from './topic-to-end.reader';
