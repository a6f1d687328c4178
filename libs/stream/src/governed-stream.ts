import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { type Kafka } from 'kafkajs';
import {
  assertTopicsMatch,
  createKafkaClient,
  ensureTopics,
  type KafkaClientSettings,
  type TopicReplication,
} from '@app/kafka';
import { loadPolicy, type CompiledPolicy } from '@app/policy';
import { EngineMetrics } from './engine.metrics';
import { engineTopicSpecs, engineTopics, type EngineTopics } from './engine-topics';
import { IdentityRouter } from './identity-router.runner';
import { needsIdentityRouting } from './identity-routing.choice';
import { StreamTaskRunner, type StreamTaskObserver } from './stream-task.runner';

/** What the governed stream needs; the Nest module builds it from settings, tests directly. */
export interface GovernedStreamConfig {
  /** Brokers, client id, TLS and SASL: built from settings by the one settings-to-client function. */
  readonly kafka: KafkaClientSettings;
  /** Replication of the topics the engine creates; absent: one replica. */
  readonly replication?: TopicReplication;
  readonly policyFile: string;
  readonly pseudonymKey: string;
  readonly groupId: string;
  readonly topicPrefix: string;
  readonly partitions: number;
  readonly maxStepRecords: number;
  readonly maxQueuedPerPartition: number;
  readonly createTopics: boolean;
  /**
   * Route events by identity home first (see `IdentityRouter`). `auto`: when {@link needsIdentityRouting}
   * says so. Absent: off.
   */
  readonly identityRouting?: boolean | 'auto';
  readonly log?: (message: string, fields?: Record<string, string | number>) => void;
  readonly afterOutputsSent?: (partition: number) => Promise<void>;
}

/** A running engine: metrics, readiness and a graceful stop. */
export interface GovernedStream {
  readonly policy: CompiledPolicy;
  readonly topics: EngineTopics;
  readonly metrics: EngineMetrics;
  readonly runner: StreamTaskRunner;
  readonly router: IdentityRouter | null;
  isReady(): boolean;
  stop(): Promise<void>;
}

/** Loads the policy, creates missing topics (when asked) and starts consuming. */
export async function startGovernedStream(config: GovernedStreamConfig): Promise<GovernedStream> {
  const policy = loadPolicy(readFileSync(config.policyFile, 'utf8'), {
    fileName: basename(config.policyFile),
  });
  const topics = engineTopics(policy, config.topicPrefix);
  const identityRouting =
    config.identityRouting === 'auto'
      ? needsIdentityRouting(policy, config.partitions)
      : config.identityRouting === true;
  const kafka: Kafka = createKafkaClient(config.kafka);
  if (config.createTopics) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const specs = engineTopicSpecs(topics, config.partitions, {}, config.replication);
      assertTopicsMatch(await ensureTopics(admin, specs));
    } finally {
      await admin.disconnect();
    }
  }
  const metrics = new EngineMetrics();
  const log = config.log ?? (() => undefined);
  const observer: StreamTaskObserver = {
    stepCommitted: (e) => metrics.stepCommitted(e),
    stepFailed: (e) => {
      metrics.stepFailed(e);
      log('step aborted; task will be claimed afresh', { partition: e.partition, error: e.error });
    },
    tasksAssigned: (e) =>
      log('tasks claimed and consent state restored', {
        partitions: e.partitions.join(','),
        restoredSubjects: e.restoredSubjects,
      }),
  };
  const runner = new StreamTaskRunner(kafka, {
    groupId: config.groupId,
    transactionalIdPrefix: `${config.topicPrefix}${config.groupId}`,
    topics,
    policy,
    pseudonymKey: config.pseudonymKey,
    maxStepRecords: config.maxStepRecords,
    maxQueuedPerPartition: config.maxQueuedPerPartition,
    observer,
    afterOutputsSent: config.afterOutputsSent,
    routing: identityRouting ? { routed: topics.routed, handover: topics.handover } : undefined,
  });
  const router = identityRouting
    ? new IdentityRouter(kafka, {
        groupId: `${config.groupId}-route`,
        transactionalId: `${config.topicPrefix}${config.groupId}-route`,
        inputs: topics.inputs,
        routed: topics.routed,
        homes: topics.homes,
        policy,
        maxStepRecords: config.maxStepRecords,
        maxQueuedPerPartition: config.maxQueuedPerPartition,
        onStepFailed: (error) => {
          metrics.stepFailed({ partition: -1, error });
          log('routing step aborted; router will be claimed afresh', { error });
        },
        onStepCommitted: (e) => metrics.routeStepCommitted(e),
        onClaimed: (e) => log('raw inputs claimed and identity homes restored', e),
      })
    : null;
  await router?.start();
  await runner.start();
  log('governed stream started', {
    policyVersion: policy.version,
    inputs: topics.inputs.length,
    identityRouting: router === null ? 'off' : 'on',
  });
  return {
    policy,
    topics,
    metrics,
    runner,
    router,
    isReady: () => runner.isCaughtUp() && (router?.isCaughtUp() ?? true),
    stop: async () => {
      await router?.stop();
      await runner.stop();
    },
  };
}
