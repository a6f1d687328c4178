import { saslCredentials, type KafkaClientSettings, type TopicReplication } from '@app/kafka';
import { KafkaSettings } from './common-settings';
import { loadConfig } from './load-config';

/** What a program may choose itself; brokers, TLS and SASL always come from the validated settings. */
export type KafkaClientOverrides = Partial<Omit<KafkaClientSettings, 'brokers' | 'ssl' | 'sasl'>>;

/**
 * The one way from validated settings to a Kafka client's settings: every service, CLI command,
 * benchmark and test helper builds its client through this, so TLS and SASL cannot be forgotten on
 * one of them.
 */
export function kafkaClientSettings(
  settings: KafkaSettings,
  overrides: KafkaClientOverrides = {},
): KafkaClientSettings {
  const mechanism = settings.KAFKA_SASL_MECHANISM;
  return {
    brokers: settings.KAFKA_BROKERS,
    clientId: settings.KAFKA_CLIENT_ID,
    ...(settings.KAFKA_SSL === 'true'
      ? {
          ssl: {
            caFile: settings.KAFKA_SSL_CA_FILE,
            certFile: settings.KAFKA_SSL_CERT_FILE,
            keyFile: settings.KAFKA_SSL_KEY_FILE,
            rejectUnauthorized: settings.KAFKA_SSL_REJECT_UNAUTHORIZED !== 'false',
          },
        }
      : {}),
    ...(mechanism !== undefined
      ? {
          sasl: saslCredentials(
            mechanism,
            settings.KAFKA_SASL_USERNAME ?? '',
            settings.KAFKA_SASL_PASSWORD ?? '',
          ),
        }
      : {}),
    ...overrides,
  };
}

/** Replication factor and `min.insync.replicas` for every topic the project creates. */
export function topicReplication(settings: KafkaSettings): TopicReplication {
  return {
    replicationFactor: settings.KAFKA_REPLICATION_FACTOR,
    minInsyncReplicas: settings.KAFKA_MIN_INSYNC_REPLICAS,
  };
}

/**
 * Validates the Kafka variables of `env` (throws `ConfigurationError` naming each bad one), for
 * programs without a service's settings class: the CLI, the main job, benchmarks, test helpers.
 */
export function kafkaSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): KafkaSettings {
  return loadConfig(KafkaSettings, env);
}
