import { type Admin } from 'kafkajs';
import { randomUUID } from 'node:crypto';
import { createKafkaClient, waitForTopicLeaders, type KafkaClientSettings } from '@app/kafka';
import { kafkaClientSettings, kafkaSettingsFromEnv } from '@app/service-kit';
import { containerRuntimeAnswers } from './container-runtime';

/** Where the tests' broker is and how it was found (printed by the global set-up). */
export interface KafkaUnderTest {
  brokers: string[];
  /**
   * How to reach it: the brokers with the environment's TLS and SASL variables (none by default),
   * through the same settings-to-client function as the services.
   */
  client: KafkaClientSettings;
  origin: 'KAFKA_BROKERS' | 'testcontainers';
  stop(): Promise<void>;
}

/** The environment's Kafka settings, validated as a service would, with these brokers. */
function clientSettings(env: NodeJS.ProcessEnv, brokers: string[]): KafkaClientSettings {
  return kafkaClientSettings(kafkaSettingsFromEnv({ ...env, KAFKA_BROKERS: brokers.join(',') }), {
    clientId: 'test',
  });
}

const START_LOCAL_BROKER =
  'No Kafka broker for the integration tests: start the local broker with `npm run kafka:up` ' +
  'and set KAFKA_BROKERS=127.0.0.1:9092, or make a Docker engine available for testcontainers.';

/**
 * Finds the broker the integration tests use: KAFKA_BROKERS when set; otherwise an apache/kafka
 * container when a container runtime answers; otherwise fails naming the command to run.
 */
export async function provideKafka(env: NodeJS.ProcessEnv = process.env): Promise<KafkaUnderTest> {
  if (env.KAFKA_BROKERS) {
    const brokers = env.KAFKA_BROKERS.split(',').map((b) => b.trim());
    const client = clientSettings(env, brokers);
    await assertBrokerAnswers(client);
    return { brokers, client, origin: 'KAFKA_BROKERS', stop: async () => undefined };
  }
  if (await containerRuntimeAnswers()) return startKafkaContainer(env);
  throw new Error(START_LOCAL_BROKER);
}

async function assertBrokerAnswers(client: KafkaClientSettings): Promise<void> {
  const admin = createKafkaClient({
    ...client,
    clientId: 'test-probe',
    connectionTimeoutMs: 2000,
    retry: { retries: 2 },
  }).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
  } catch (error) {
    throw new Error(
      `KAFKA_BROKERS=${String(client.brokers)} does not answer (${String(error)}). ${START_LOCAL_BROKER}`,
    );
  } finally {
    await admin.disconnect();
  }
}

async function startKafkaContainer(env: NodeJS.ProcessEnv): Promise<KafkaUnderTest> {
  // Loaded lazily: testcontainers is only needed where Docker exists.
  const { GenericContainer, Wait } = await import('testcontainers');
  const hostPort = 39092;
  const container = await new GenericContainer('apache/kafka:4.1.1')
    .withExposedPorts({ container: 9092, host: hostPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,CONTROLLER://localhost:9093',
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${hostPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  const brokers = [`127.0.0.1:${hostPort}`];
  return {
    brokers,
    client: clientSettings(env, brokers),
    origin: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

/** A topic name no other test run uses. */
export function uniqueTopic(prefix: string): string {
  return `${prefix}.${randomUUID().slice(0, 8)}`;
}

/** Creates topics (waiting for their leaders) and returns their names. */
export async function createTopics(
  admin: Admin,
  topics: { topic: string; numPartitions?: number; configEntries?: { name: string; value: string }[] }[],
): Promise<string[]> {
  await admin.createTopics({ topics, waitForLeaders: false });
  await waitForTopicLeaders(
    admin,
    topics.map((t) => t.topic),
  );
  return topics.map((t) => t.topic);
}
