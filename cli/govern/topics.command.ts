import { type Command, InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  createKafkaClient,
  ensureTopics,
  type KafkaClientSettings,
  type TopicReplication,
  type TopicSpec,
} from '@app/kafka';
import { loadPolicy } from '@app/policy';
// The settings module, not the library's index: that would load Nest into every govern command.
import {
  kafkaClientSettings,
  kafkaSettingsFromEnv,
  topicReplication,
} from '@app/service-kit/config/kafka-client-settings';
import { type KafkaSettings } from '@app/service-kit/config/common-settings';
import { ConfigurationError } from '@app/service-kit/config/load-config';
import { engineTopicSpecs, engineTopics } from '@app/stream';
import type { CommandOutput } from './validate.command';

/** Options of `govern topics`. */
export interface TopicsOptions {
  readonly policyPath: string;
  readonly partitions: number;
  readonly prefix?: string;
  /** Replication of every topic (KAFKA_REPLICATION_FACTOR, KAFKA_MIN_INSYNC_REPLICAS). */
  readonly replication?: TopicReplication;
  /** When set, the missing topics are created with this client (brokers, TLS, SASL). */
  readonly kafka?: KafkaClientSettings;
}

function describe(spec: TopicSpec): string {
  const configs = Object.entries(spec.configs ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const replicas = spec.replicationFactor === undefined ? '' : `  replicas=${spec.replicationFactor}`;
  return `${spec.topic}  partitions=${spec.numPartitions}${replicas}  ${configs}`;
}

/**
 * `govern topics`: the topics the policy implies for the engine (inputs and changelog co-partitioned,
 * compacted changelog, retention per role); with brokers, creates the missing ones and reports
 * existing topics whose partition count differs (never changed automatically: keys would move).
 */
export async function topicsCommand(options: TopicsOptions): Promise<CommandOutput> {
  const policy = loadPolicy(readFileSync(options.policyPath, 'utf8'), {
    fileName: basename(options.policyPath),
  });
  const specs = engineTopicSpecs(
    engineTopics(policy, options.prefix ?? ''),
    options.partitions,
    {},
    options.replication,
  );
  const lines = [
    `policy ${policy.version}: ${specs.length} topic(s)`,
    ...specs.map((s) => `  ${describe(s)}`),
  ];
  if (options.kafka === undefined) return { exitCode: 0, lines };
  const admin = createKafkaClient(options.kafka).admin();
  await admin.connect();
  try {
    const report = await ensureTopics(admin, specs);
    lines.push(`created: ${report.created.length}, already present: ${report.alreadyPresent.length}`);
    for (const m of report.partitionMismatches) {
      lines.push(`  mismatch: ${m.topic} has ${m.actual} partition(s), the policy implies ${m.expected}`);
    }
    return { exitCode: report.partitionMismatches.length > 0 ? 1 : 0, lines };
  } finally {
    await admin.disconnect();
  }
}

/** Adds `govern topics` to the CLI (kept here so the CLI's entry point only registers it). */
export function registerTopicsCommand(program: Command): void {
  const positive = (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('must be a positive integer');
    return n;
  };
  program
    .command('topics')
    .requiredOption('--policy <file>', 'policy YAML file')
    .option('--partitions <n>', 'partitions of inputs, changelog and outputs', positive, 3)
    .option('--prefix <prefix>', 'prefix of every topic name', '')
    .option('--apply', 'create the missing topics')
    .option('--brokers <list>', 'brokers for --apply', process.env.KAFKA_BROKERS ?? '127.0.0.1:9092')
    .description('print (and with --apply create) the topics the policy implies for the engine')
    .action(
      async (o: { policy: string; partitions: number; prefix: string; apply?: boolean; brokers: string }) => {
        // --brokers goes through the same validation as KAFKA_BROKERS (e.g. PLAIN only on loopback).
        let settings: KafkaSettings;
        try {
          settings = kafkaSettingsFromEnv({ ...process.env, KAFKA_BROKERS: o.brokers });
        } catch (error) {
          if (!(error instanceof ConfigurationError)) throw error;
          process.stderr.write(`govern topics: ${error.message}\n`);
          process.exitCode = 2;
          return;
        }
        let output: CommandOutput;
        try {
          output = await topicsCommand({
            policyPath: o.policy,
            partitions: o.partitions,
            prefix: o.prefix,
            replication: topicReplication(settings),
            kafka: o.apply ? kafkaClientSettings(settings, { clientId: 'govern-topics' }) : undefined,
          });
        } catch (error) {
          // A refused login or an unreachable broker is an operator's problem, not a crash: one line
          // with kafkajs's reason (which never contains the credentials), no stack trace.
          if (!(error instanceof Error && error.name.startsWith('KafkaJS'))) throw error;
          output = {
            exitCode: 1,
            lines: [`govern topics: could not create the topics: ${error.name}: ${error.message}`],
          };
        }
        (output.exitCode === 0 ? process.stdout : process.stderr).write(`${output.lines.join('\n')}\n`);
        process.exitCode = output.exitCode;
      },
    );
}
