/**
 * The stream runtime: the governed stream on Kafka with exactly-once steps. Tasks (partition p of
 * every input) merge their inputs in produced order, decide with the decision core and commit
 * outputs, lineage, dead letters, changelog and offsets in one transaction; the identity router
 * routes events by identity home when links cross partitions. Services only host it.
 */
export { startGovernedStream, type GovernedStream, type GovernedStreamConfig } from './governed-stream';
export {
  ACTIVE_KEY_VARIABLE,
  engineKeyring,
  keyringWeaknesses,
  MIN_SECRET_BYTES,
  parsePseudonymKeyring,
  PSEUDONYM_KEYS_VARIABLE,
  describeKeyringProblems,
  type KeyringProblem,
  type ParsedKeyring,
} from './pseudonym-keyring';
export {
  type ClaimFailed,
  type ConsumerCrashed,
  type GovernedStreamObserver,
  type RecordDeadLettered,
  type RecordFailed,
  type RouteStepCommitted,
  type RouterClaimed,
  type StepCommitted,
  type StepFailed,
  type StreamStage,
  type TasksClaimed,
} from './stream-observer';
export { kafkaProducers, type ProducerSupplier, type TransactionalProducer } from './step-transaction';
export { type Backoff } from './claim-loop';
export { engineTopics, engineTopicSpecs, suppressionTopicOf, type EngineTopics } from './engine-topics';
export { publishPolicyVersion } from './policy-version.publisher';
export { latestPerKey } from './latest-per-key';
export { EngineMetrics } from './engine.metrics';
export { figuresFromMetrics } from './engine-figures';
export { assertIdentityRoutingSafe, needsIdentityRouting } from './identity-routing.choice';
export { governanceCore, type DecisionCore, type DecisionCoreSupplier } from './decision-core';
export { DEFAULT_MAX_RECORD_BYTES } from './output-size';
export { DEFAULT_MAX_RECORD_ATTEMPTS } from './record-failures';
