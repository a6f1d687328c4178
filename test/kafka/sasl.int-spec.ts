import { randomUUID } from 'node:crypto';
import { type Kafka } from 'kafkajs';
import {
  createKafkaClient,
  ensureTopics,
  KAFKA_SASL_MECHANISMS,
  producerConfig,
  streamTopic,
  type KafkaLogSink,
  type KafkaSaslMechanism,
} from '@app/kafka';
import { kafkaClientSettings, kafkaSettingsFromEnv } from '@app/service-kit';
import {
  consumeUntil,
  provideSaslListener,
  saslListenerSkipReason,
  uniqueTopic,
  type SaslListener,
} from '@app/testing';

// The project's client over SASL against a real broker: each mechanism through the one
// settings-to-client function, a transaction read back read_committed, a wrong password refused
// clearly, and no credential in any log line or error message.

const skipReason = saslListenerSkipReason();
if (skipReason !== undefined) process.stdout.write(`[sasl] ${skipReason}\n`);
const describeWithSasl = skipReason === undefined ? describe : describe.skip;

/** Every kafkajs log line of these clients (debug level: the most they ever write). */
const logLines: string[] = [];
const line =
  (level: string) =>
  (fields: Record<string, unknown>, message: string): void =>
    void logLines.push(`${level} ${message} ${JSON.stringify(fields)}`);
const sink: KafkaLogSink = {
  error: line('error'),
  warn: line('warn'),
  info: line('info'),
  debug: line('debug'),
};

/** Everything an error carries that could end up in a log: name, message, stack, fields, causes. */
function errorText(error: unknown): string {
  const parts: string[] = [];
  for (let e = error, depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (!(e instanceof Error)) {
      parts.push(String(e));
      break;
    }
    parts.push(e.name, e.message, e.stack ?? '', JSON.stringify(e));
    e =
      (e as { cause?: unknown; originalError?: unknown }).cause ??
      (e as { originalError?: unknown }).originalError;
  }
  return parts.join('\n');
}

describeWithSasl('the Kafka client over SASL', () => {
  let listener: SaslListener;
  const passwordsUsed = new Set<string>();

  /** A client built as a service builds it: environment variables → validated settings → client. */
  function clientFor(mechanism: KafkaSaslMechanism, password: string): Kafka {
    passwordsUsed.add(password);
    const settings = kafkaSettingsFromEnv({
      KAFKA_BROKERS: listener.brokers,
      KAFKA_CLIENT_ID: `sasl-test-${mechanism}`,
      KAFKA_SASL_MECHANISM: mechanism,
      KAFKA_SASL_USERNAME: listener.username,
      KAFKA_SASL_PASSWORD: password,
    });
    return createKafkaClient(kafkaClientSettings(settings, { logLevel: 'debug' }), sink);
  }

  beforeAll(async () => {
    listener = await provideSaslListener();
    process.stdout.write(`[sasl] listener at ${listener.brokers} (${listener.origin})\n`);
  });

  it.each(KAFKA_SASL_MECHANISMS)(
    '%s: creates a topic, produces in transactions and reads only the committed records',
    async (mechanism) => {
      const kafka = clientFor(mechanism, listener.password);
      const topic = uniqueTopic(`test.sasl.${mechanism}`);
      const admin = kafka.admin();
      await admin.connect();
      try {
        expect((await ensureTopics(admin, [streamTopic(topic, 1, 3_600_000)])).created).toEqual([topic]);
      } finally {
        await admin.disconnect();
      }

      const producer = kafka.producer(
        producerConfig({
          transactionalId: `sasl-test-${randomUUID()}`,
          idempotent: true,
          maxInFlightRequests: 1,
        }),
      );
      await producer.connect();
      try {
        for (const [value, outcome] of [
          ['first', 'commit'],
          ['aborted', 'abort'],
          ['second', 'commit'],
        ] as const) {
          const transaction = await producer.transaction();
          await transaction.send({ topic, messages: [{ key: 'k', value }] });
          await (outcome === 'commit' ? transaction.commit() : transaction.abort());
        }
      } finally {
        await producer.disconnect();
      }

      // read_committed (consumeUntil's default): the aborted record, written between the two
      // committed ones, would show up as the second record if it leaked.
      const records = await consumeUntil(kafka, [topic], { until: (r) => r.length >= 2, timeoutMs: 60_000 });
      expect(records.map((r) => r.value)).toEqual(['first', 'second']);
    },
  );

  it.each(KAFKA_SASL_MECHANISMS)(
    '%s: a wrong password fails with an authentication error that names no credential',
    async (mechanism) => {
      const wrong = `wrong-${randomUUID()}`;
      const admin = clientFor(mechanism, wrong).admin();
      const error = await admin.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      await admin.disconnect();

      expect(error).toBeInstanceOf(Error);
      expect((error as Error).name).toBe('KafkaJSSASLAuthenticationError');
      expect((error as Error).message).toMatch(/authentication failed/i);
      const text = errorText(error);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(listener.password);
    },
  );

  it('wrote no credential into any log line', () => {
    // The check means something only if the clients did log (debug: connections, SASL steps).
    expect(logLines.some((l) => /SASL/i.test(l))).toBe(true);
    expect(passwordsUsed.size).toBe(1 + KAFKA_SASL_MECHANISMS.length);
    for (const password of passwordsUsed) {
      expect(logLines.filter((l) => l.includes(password))).toEqual([]);
    }
  });
});
