import { Kafka, logLevel, Partitioners, type ProducerConfig, type RetryOptions } from 'kafkajs';
import {
  kafkaLogCreator,
  toKafkaLogLevel,
  type KafkaLogSink,
  type ServiceLogLevel,
} from './kafka-log.bridge';
import {
  saslOptions,
  tlsOptions,
  type KafkaSaslSettings,
  type KafkaTlsSettings,
} from './kafka-security.options';

/** What a service needs to reach the brokers; values come from its validated settings. */
export interface KafkaClientSettings {
  /** `host:port` list, or the comma-separated KAFKA_BROKERS string. */
  readonly brokers: readonly string[] | string;
  readonly clientId: string;
  /** TLS towards the brokers; absent: plaintext. */
  readonly ssl?: KafkaTlsSettings;
  /** SASL authentication; absent: none. */
  readonly sasl?: KafkaSaslSettings;
  /** Defaults to `warn`: kafkajs is chatty at `info` (every group join). */
  readonly logLevel?: ServiceLogLevel;
  readonly connectionTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  readonly retry?: RetryOptions;
}

/** Splits and trims a KAFKA_BROKERS value; an empty list is a configuration error, not a default. */
export function parseBrokers(brokers: readonly string[] | string): string[] {
  const list = (typeof brokers === 'string' ? brokers.split(',') : [...brokers])
    .map((b) => b.trim())
    .filter((b) => b.length > 0);
  if (list.length === 0) throw new Error('Kafka brokers: expected at least one host:port (KAFKA_BROKERS)');
  return list;
}

/**
 * Builds the kafkajs client for a service, with TLS and SASL when the settings ask for them (a
 * certificate file that cannot be read fails here, not at the first connection). kafkajs logs go to
 * `logSink` (JSON logs, scalar fields only; kafkajs never logs credentials) or, without a sink, are
 * switched off.
 */
export function createKafkaClient(settings: KafkaClientSettings, logSink?: KafkaLogSink): Kafka {
  return new Kafka({
    clientId: settings.clientId,
    brokers: parseBrokers(settings.brokers),
    connectionTimeout: settings.connectionTimeoutMs ?? 3000,
    requestTimeout: settings.requestTimeoutMs ?? 30000,
    retry: settings.retry,
    ...(settings.ssl ? { ssl: tlsOptions(settings.ssl) } : {}),
    ...(settings.sasl ? { sasl: saslOptions(settings.sasl) } : {}),
    logLevel: logSink ? toKafkaLogLevel(settings.logLevel ?? 'warn') : logLevel.NOTHING,
    ...(logSink ? { logCreator: kafkaLogCreator(logSink) } : {}),
  });
}

/**
 * Producer settings with the partitioner chosen explicitly: kafkajs 2's default partitioner (the
 * Java client's murmur2), so keys land where Java producers and Kafka Streams put them and kafkajs
 * does not print its "v2 partitioner" warning. Every producer in the project is built through this.
 */
export function producerConfig(overrides: ProducerConfig = {}): ProducerConfig {
  return { createPartitioner: Partitioners.DefaultPartitioner, ...overrides };
}
