// Exits 0 when a Kafka broker answers a metadata request at the given address, 1 otherwise.
// Used by kafka.sh to tell "our broker is up" from "the port is taken by something else".
'use strict';
const { Kafka, logLevel } = require('kafkajs');

const broker = process.argv[2] || '127.0.0.1:9092';
const kafka = new Kafka({
  clientId: 'kafka-probe',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
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
