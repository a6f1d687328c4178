export { provideKafka, uniqueTopic, createTopics, type KafkaUnderTest } from './kafka-under-test';
export {
  LOCAL_SASL_USER,
  provideSaslListener,
  saslListenerSkipReason,
  type SaslListener,
} from './sasl-listener';
export { provideDatabase, type DatabaseUnderTest } from './database-under-test';
export { consumeUntil, type ConsumedRecord, type ConsumeUntilOptions } from './consume-until';
export { until } from './until';
export { containerRuntimeAnswers } from './container-runtime';
export { startNestApp } from './nest-app';
