export { loadConfig, ConfigurationError } from './config/load-config';
export { KafkaSettings, HttpSettings, DatabaseSettings, toInt } from './config/common-settings';
export {
  kafkaClientSettings,
  kafkaSettingsFromEnv,
  topicReplication,
  type KafkaClientOverrides,
} from './config/kafka-client-settings';
export { Holds, IsReadableFile } from './config/setting-checks';
export { KeyringSetting, keyringSettingProblems, type KeyringSettings } from './config/keyring-setting';
export { JsonLogger } from './logging/json-logger';
export { HealthModule, type ReadinessChecksProvider } from './health/health.module';
export { READINESS_CHECKS, type ReadinessCheck } from './health/readiness-check';
export { KafkaReadiness } from './health/kafka-readiness';
export { bootstrapService, type ServiceDefinition } from './bootstrap';
