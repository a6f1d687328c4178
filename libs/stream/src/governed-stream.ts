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
import { loadPolicy, type CompiledPolicy, type PseudonymKeyring } from '@app/policy';
import { EngineMetrics } from './engine.metrics';
import { engineTopicSpecs, engineTopics, type EngineTopics } from './engine-topics';
import { IdentityRouter } from './identity-router.runner';
import { publishPolicyVersion } from './policy-version.publisher';
import { engineKeyring } from './pseudonym-keyring';
import { assertIdentityRoutingSafe, needsIdentityRouting } from './identity-routing.choice';
import { type Backoff } from './claim-loop';
import { type DecisionCoreSupplier } from './decision-core';
import { type ProducerSupplier } from './step-transaction';
import { allOf, type GovernedStreamObserver } from './stream-observer';
import { StreamTaskRunner } from './stream-task.runner';

/** What the governed stream needs; the Nest module builds it from settings, tests directly. */
export interface GovernedStreamConfig {
  /** Brokers, client id, TLS and SASL: built from settings by the one settings-to-client function. */
  readonly kafka: KafkaClientSettings;
  /** Replication of the topics the engine creates; absent: one replica. */
  readonly replication?: TopicReplication;
  readonly policyFile: string;
  /**
   * The pseudonym keyring (key id → secret, and the active id). Absent: refused, except in demo
   * mode, which uses the public demo keyring. Checked by {@link engineKeyring} before anything starts.
   */
  readonly pseudonymKeys?: PseudonymKeyring;
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
  /** Told of claims, committed steps and failures as they happen, after the engine's metrics. */
  readonly observer?: GovernedStreamObserver;
  /** Creates the engine's transactional producers; default: the Kafka client's own. */
  readonly producers?: ProducerSupplier;
  /** Backoff between failed claims; default 500 ms, doubling up to 15 s. */
  readonly claimBackoff?: Backoff;
  /**
   * Creates each task's decision core; default: the policy library's processor. A host may wrap it
   * (tracing, timing, an instrumented core), keeping its semantics.
   */
  readonly decisionCore?: DecisionCoreSupplier;
  /**
   * Largest record the engine writes, key and headers included (default 1,000,000 bytes, under
   * the broker's default `max.message.bytes`). An input whose outputs would not fit is dead-lettered.
   */
  readonly maxRecordBytes?: number;
  /** Attempts per input record before it is dead-lettered as `internal-error` (default 3). */
  readonly maxRecordAttempts?: number;
  /** Queued bytes per input partition before its fetching pauses (default 32 MiB). */
  readonly maxQueuedBytesPerPartition?: number;
  /**
   * Allows the public demo keyring (or weak keys): for demos only, where pseudonyms need not resist
   * anyone who knows the default. Off: the engine refuses to start without a secret keyring.
   */
  readonly demoMode?: boolean;
}

/** A running engine: metrics, readiness and a graceful stop. */
export interface GovernedStream {
  readonly policy: CompiledPolicy;
  readonly topics: EngineTopics;
  readonly metrics: EngineMetrics;
  /** Whether events are routed by identity home first (the router stage runs on some instance). */
  readonly identityRouting: boolean;
  /** Partitions whose decision tasks this instance holds now, ascending. */
  assignedPartitions(): number[];
  /**
   * True while every loop of this instance has claimed its latest assignment (consent state and
   * identity homes restored) and its consumer is up. False while a claim fails and is retried, and
   * after a consumer crash until kafkajs has rejoined and the claim is made afresh.
   */
  isReady(): boolean;
  stop(): Promise<void>;
}

/** Logs what an operator acts on: claims, aborted steps, failed claims and consumer crashes. */
function logReports(log: NonNullable<GovernedStreamConfig['log']>): GovernedStreamObserver {
  return {
    tasksClaimed: (e) =>
      log('tasks claimed and consent state restored', {
        partitions: e.partitions.join(','),
        restoredSubjects: e.restoredSubjects,
      }),
    routerClaimed: (e) => log('raw inputs claimed and identity homes restored', { ...e }),
    stepFailed: (e) =>
      e.stage === 'tasks'
        ? log('step aborted; task will be claimed afresh', { partition: e.partition, error: e.error })
        : log('routing step aborted; router will be claimed afresh', { error: e.error }),
    claimFailed: (e) => log('claim failed; retrying', { ...e }),
    recordFailed: (e) => log('record failed; step aborted, retried after a fresh claim', { ...e }),
    recordDeadLettered: (e) => log('record dead-lettered by the engine', { ...e }),
    stateCorrupt: (e) => log('changelog record is not a valid consent state; subject quarantined', { ...e }),
    consumerCrashed: (e) =>
      log(
        e.restart
          ? 'consumer crashed; not ready until kafkajs rejoins and the claim is made afresh'
          : 'consumer crashed and will not restart; not ready until the engine is restarted',
        { stage: e.stage, error: e.error },
      ),
  };
}

/** Loads the policy, creates missing topics (when asked) and starts consuming. */
export async function startGovernedStream(config: GovernedStreamConfig): Promise<GovernedStream> {
  const pseudonymKeys = engineKeyring(config.pseudonymKeys, config.demoMode === true);
  const policyText = readFileSync(config.policyFile, 'utf8');
  const policy = loadPolicy(policyText, { fileName: basename(config.policyFile) });
  const topics = engineTopics(policy, config.topicPrefix);
  const identityRouting =
    config.identityRouting === 'auto'
      ? needsIdentityRouting(policy, config.partitions)
      : config.identityRouting === true;
  assertIdentityRoutingSafe(policy, config.partitions, identityRouting);
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
  await publishPolicyVersion(kafka, topics.policyVersions, policy, policyText);
  const metrics = new EngineMetrics();
  const log = config.log ?? (() => undefined);
  const observer = allOf([metrics, logReports(log), ...(config.observer ? [config.observer] : [])]);
  const common = {
    policy,
    maxStepRecords: config.maxStepRecords,
    maxQueuedPerPartition: config.maxQueuedPerPartition,
    observer,
    producers: config.producers,
    claimBackoff: config.claimBackoff,
    maxRecordBytes: config.maxRecordBytes,
    maxRecordAttempts: config.maxRecordAttempts,
    maxQueuedBytesPerPartition: config.maxQueuedBytesPerPartition,
  };
  const runner = new StreamTaskRunner(kafka, {
    ...common,
    groupId: config.groupId,
    transactionalIdPrefix: `${config.topicPrefix}${config.groupId}`,
    topics,
    pseudonymKeys,
    decisionCore: config.decisionCore,
    routing: identityRouting
      ? { routed: topics.routed, handover: topics.handover, releases: topics.releases }
      : undefined,
  });
  const router = identityRouting
    ? new IdentityRouter(kafka, {
        ...common,
        groupId: `${config.groupId}-route`,
        transactionalId: `${config.topicPrefix}${config.groupId}-route`,
        inputs: topics.inputs,
        routed: topics.routed,
        homes: topics.homes,
        releases: topics.releases,
        deadLetter: topics.deadLetter,
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
    identityRouting: router !== null,
    assignedPartitions: () => runner.assignedPartitions(),
    isReady: () => runner.isCaughtUp() && (router?.isCaughtUp() ?? true),
    stop: async () => {
      await router?.stop();
      await runner.stop();
    },
  };
}
