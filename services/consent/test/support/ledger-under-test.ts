import { Client } from 'pg';
import type { Kafka } from 'kafkajs';
import { createDataSource } from '@app/persistence';

/** Applies the project's migrations in the test's own schema (the triggers come with them). */
export async function migrateSchema(url: string, schema: string): Promise<void> {
  const dataSource = createDataSource({ url, schema });
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}

/** Runs SQL in the test's schema as the test's (super)user; returns the rows. */
export async function sql<T = Record<string, unknown>>(
  url: string,
  schema: string,
  text: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url, options: `-c search_path="${schema}"` });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Resolves once `check` returns true (polled), or fails after `timeoutMs` naming `what`. */
export async function eventually(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 120_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Produces CloudEvent lines to `topic`, keyed by subject, in order (idempotent producer). */
export async function produceEvidence(kafka: Kafka, topic: string, lines: readonly string[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += 500) {
      await producer.send({
        topic,
        acks: -1,
        messages: lines.slice(i, i + 500).map((value) => {
          let key: string | null = null;
          try {
            const parsed = JSON.parse(value) as { subject?: unknown };
            key = typeof parsed.subject === 'string' ? parsed.subject : null;
          } catch {
            key = null;
          }
          return { key, value };
        }),
      });
    }
  } finally {
    await producer.disconnect();
  }
}

/** The generated sample's consent evidence lines, plus records the engine dead-letters. */
export function evidenceLines(all: readonly string[]): string[] {
  return [
    ...all.filter((l) => l.includes('"type":"consent.evidence"')),
    '{"specversion":"1.0","id":"broken-1"',
    JSON.stringify({
      specversion: '1.0',
      id: 'wrong-source-1',
      source: 'crm',
      type: 'consent.evidence',
      time: '2025-06-01T10:00:00Z',
      subject: 'cust-99999',
      data: {},
    }),
  ];
}
