import { randomUUID } from 'node:crypto';
import { type GovernedStream } from '@app/stream';
import { provideKafka, type KafkaUnderTest } from '@app/testing';
import {
  PSEUDONYM_KEYS,
  PSEUDONYM_KEYS_ENV,
  produceLines,
  startTestEngine,
  testKafka,
  uniquePrefix,
} from '../../../../test/engine/support/engine-stream.kit';
import { startAuditStack, type AuditStack } from './audit-stack';
import { decidedSample, type DecidedSample } from './lineage-fixture';

/** The audit service whose sink has stored what the real engine decided on a generated stream. */
export interface StackWithLineage {
  readonly stack: AuditStack;
  /** The same stream decided by dry-run: what the store must hold and the API must answer. */
  readonly sample: DecidedSample;
  close(): Promise<void>;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The real stack: the engine decides a generated stream on the broker (one partition, its own
 * topics), the audit service's sink loads the lineage into a fresh schema, and the API answers.
 * Resolves once the store holds as many lineage records as dry-run writes for the stream.
 */
export async function startStackWithEngineLineage(
  customers: number,
  seed: number,
): Promise<StackWithLineage> {
  const broker: KafkaUnderTest = await provideKafka();
  const prefix = uniquePrefix('audit-api');
  const engine: GovernedStream = await startTestEngine(broker.brokers, prefix, { maxStepRecords: 200 });
  const stack = await startAuditStack({
    ...PSEUDONYM_KEYS_ENV,
    GOVERN_DEMO_MODE: 'false',
    KAFKA_BROKERS: broker.brokers.join(','),
    AUDIT_SINK: 'true',
    AUDIT_TOPIC_PREFIX: prefix,
    AUDIT_GROUP_ID: `audit-api-${randomUUID().slice(0, 8)}`,
    AUDIT_RETENTION_DAYS: '36500',
  });
  const close = async (): Promise<void> => {
    await stack.close();
    await engine.stop();
    await broker.stop();
  };
  try {
    const sample = decidedSample(customers, seed, PSEUDONYM_KEYS);
    await produceLines(testKafka(broker.brokers), engine.topics, sample.lines);
    for (let waited = 0; ; waited += 500) {
      const rows: { n: string }[] = await stack.db.query('select count(*)::text as n from audit_lineage');
      const stored = Number(rows[0]?.n);
      if (stored >= sample.lineage.length) break;
      if (waited > 180_000)
        throw new Error(`the sink stored ${stored} of ${sample.lineage.length} lineage records in 3 minutes`);
      await sleep(500);
    }
    return { stack, sample, close };
  } catch (error) {
    await close();
    throw error;
  }
}
