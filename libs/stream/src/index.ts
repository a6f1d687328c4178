/**
 * The stream runtime: the governed stream on Kafka with exactly-once steps. Tasks (partition p of
 * every input) merge their inputs in produced order, decide with the decision core and commit
 * outputs, lineage, dead letters, changelog and offsets in one transaction; the identity router
 * routes events by identity home when links cross partitions. Services only host it.
 */
export { startGovernedStream, type GovernedStream, type GovernedStreamConfig } from './governed-stream';
export {
  type ClaimFailed,
  type ConsumerCrashed,
  type GovernedStreamObserver,
  type RouteStepCommitted,
  type RouterClaimed,
  type StepCommitted,
  type StepFailed,
  type StreamStage,
  type TasksClaimed,
} from './stream-observer';
export { kafkaProducers, type ProducerSupplier, type TransactionalProducer } from './step-transaction';
export { type Backoff } from './claim-loop';
export { engineTopics, engineTopicSpecs, type EngineTopics } from './engine-topics';
export { EngineMetrics } from './engine.metrics';
export { figuresFromMetrics } from './engine-figures';
export { needsIdentityRouting } from './identity-routing.choice';
