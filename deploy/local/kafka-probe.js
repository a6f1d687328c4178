// Exits 0 when a Kafka broker answers a metadata request at the given address, 1 otherwise.
// Used by kafka.sh to tell "our broker is up" from "the port is taken by something else", and with
// KAFKA_PROBE_SASL_MECHANISM/_USERNAME/_PASSWORD (environment, not arguments, so the password is not
// in the process list) to check that the SASL listener accepts the local test user.
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] || '127.0.0.1:9092';
const env = process.env;
const sasl = env.KAFKA_PROBE_SASL_MECHANISM
  ? {
      mechanism: env.KAFKA_PROBE_SASL_MECHANISM,
      username: env.KAFKA_PROBE_SASL_USERNAME,
      password: env.KAFKA_PROBE_SASL_PASSWORD,
    }
  : undefined;
const kafka = new Kafka({
  clientId: 'kafka-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  ...(sasl ? { sasl } : {}),
});
const admin = kafka.admin();
admin
  .connect()
  .then(() => admin.describeCluster())
  .then(
    (cluster) => admin.disconnect().then(() => process.exit(cluster.brokers.length > 0 ? 0 : 1)),
    () => process.exit(1),
  );
setTimeout(() => process.exit(1), 5000).unref();
