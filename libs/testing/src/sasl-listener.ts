import { createKafkaClient } from '@app/kafka';
import { kafkaClientSettings, kafkaSettingsFromEnv } from '@app/service-kit';

/**
 * The local test user of the SASL listener that `deploy/local/kafka.sh` starts (the same pair is
 * written there). Public and local-only: it exists so tests can drive the client's SASL path.
 */
export const LOCAL_SASL_USER = { username: 'govern', password: 'govern-local-only' } as const;

/** Where the kafka.sh broker listens with SASL_PLAINTEXT unless KAFKA_SASL_PORT says otherwise. */
const DEFAULT_SASL_BROKERS = '127.0.0.1:9094';

/** A broker listener that authenticates {@link LOCAL_SASL_USER} with PLAIN and SCRAM. */
export interface SaslListener {
  readonly brokers: string;
  readonly username: string;
  readonly password: string;
  readonly origin: 'KAFKA_SASL_BROKERS' | 'local broker default';
}

/**
 * Why the SASL tests cannot run in this setting, or undefined when they can. They run wherever the
 * other integration tests use a broker named by KAFKA_BROKERS (the kafka.sh broker has a SASL
 * listener) or KAFKA_SASL_BROKERS names one. Without either the tests use a testcontainers broker,
 * which has no SASL listener yet. Decided from the environment alone, so a test file can skip at
 * definition time.
 */
export function saslListenerSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.KAFKA_SASL_BROKERS || env.KAFKA_BROKERS) return undefined;
  return (
    'SASL tests skipped: the testcontainers broker has no SASL listener. Run them against the local ' +
    'broker: npm run kafka:up, then KAFKA_BROKERS=127.0.0.1:9092 npm test (its SASL listener is ' +
    '127.0.0.1:9094), or set KAFKA_SASL_BROKERS.'
  );
}

/**
 * The SASL listener for the tests: KAFKA_SASL_BROKERS when set, else the kafka.sh default
 * 127.0.0.1:9094. Fails, naming the fix, when it does not answer or refuses the test user: a
 * security test that silently does not run proves nothing.
 */
export async function provideSaslListener(env: NodeJS.ProcessEnv = process.env): Promise<SaslListener> {
  const listener: SaslListener = {
    brokers: env.KAFKA_SASL_BROKERS || DEFAULT_SASL_BROKERS,
    ...LOCAL_SASL_USER,
    origin: env.KAFKA_SASL_BROKERS ? 'KAFKA_SASL_BROKERS' : 'local broker default',
  };
  const settings = kafkaSettingsFromEnv({
    KAFKA_BROKERS: listener.brokers,
    KAFKA_SASL_MECHANISM: 'scram-sha-256',
    KAFKA_SASL_USERNAME: listener.username,
    KAFKA_SASL_PASSWORD: listener.password,
  });
  const admin = createKafkaClient(
    kafkaClientSettings(settings, {
      clientId: 'test-sasl-probe',
      connectionTimeoutMs: 2000,
      retry: { retries: 2 },
    }),
  ).admin();
  try {
    await admin.connect();
    await admin.describeCluster();
    return listener;
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    const refused = error instanceof Error && error.name === 'KafkaJSSASLAuthenticationError';
    throw new Error(
      refused
        ? `The SASL listener at ${listener.brokers} (${listener.origin}) refuses the local test user ` +
          `${listener.username} (${reason}). kafka.sh adds that user when it starts: run npm run kafka:up.`
        : `No SASL listener answers at ${listener.brokers} (${listener.origin}): ${reason}. The local ` +
          'broker (npm run kafka:up) listens with SASL on 127.0.0.1:9094; one started by an older ' +
          'kafka.sh has no such listener until restarted (npm run kafka:down, then npm run kafka:up; ' +
          'data is kept). Or set KAFKA_SASL_BROKERS.',
    );
  } finally {
    await admin.disconnect();
  }
}
