export { provideKafka, uniqueTopic, createTopics, type KafkaUnderTest } from './kafka-under-test';
export { provideDatabase, type DatabaseUnderTest } from './database-under-test';
export { consumeUntil, type ConsumedRecord, type ConsumeUntilOptions } from './consume-until';
export { containerRuntimeAnswers } from './container-runtime';
export { startNestApp } from './nest-app';
