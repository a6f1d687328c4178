import { randomUUID } from 'node:crypto';
import { type IHeaders, type Kafka } from 'kafkajs';
import { type ConsumedRecord } from '@app/testing';

/** A record as kafkajs decodes it, before its own aborted-transaction filter (not in its types). */
interface RawRecord {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers?: IHeaders;
  readonly isControlRecord?: boolean;
  readonly batchContext: { readonly producerId: string; readonly inTransaction: boolean };
}

const text = (v: IHeaders[string]): string => String(Array.isArray(v) ? v[0] : v);

/**
 * Every committed record of the topics as of now, for tests where several transactional producers
 * are killed inside open transactions. Why not kafkajs read_committed: its aborted-transaction
 * filter (filterAbortedMessages) registers one aborted transaction per record it passes, so when a
 * fetch starts after several producers' aborted transactions began, records of all but one leak
 * through as committed. Here records are read uncommitted and each transactional record is kept only
 * once its producer's commit marker is seen. A marker fetched on its own never reaches the batch
 * handler: such records stay unresolved and are counted, so the caller can read again.
 */
export async function readCommittedRecords(
  kafka: Kafka,
  topics: readonly string[],
): Promise<{ records: ConsumedRecord[]; unresolved: number }> {
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `exact-reader-${randomUUID()}`;
  const records: ConsumedRecord[] = [];
  const pending = new Map<string, ConsumedRecord[]>();
  const remaining = new Map<string, bigint>();
  const position = new Map<string, bigint>();
  try {
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic))
        if (BigInt(p.high) > BigInt(p.low)) remaining.set(`${topic}:${p.partition}`, BigInt(p.high));
    if (remaining.size === 0) return { records, unresolved: 0 };
    const consumer = kafka.consumer({
      groupId,
      readUncommitted: true,
      maxBytesPerPartition: 64 * 1024 * 1024,
      maxBytes: 256 * 1024 * 1024,
    });
    await consumer.connect();
    try {
      await new Promise<void>((resolve, reject) => {
        const advance = (tp: string, lastOffset: string): void => {
          const end = remaining.get(tp);
          if (end !== undefined && BigInt(lastOffset) + 1n >= end) remaining.delete(tp);
          if (remaining.size === 0) resolve();
        };
        consumer.on(consumer.events.END_BATCH_PROCESS, (e) =>
          advance(`${e.payload.topic}:${e.payload.partition}`, e.payload.lastOffset),
        );
        consumer.on(consumer.events.CRASH, (e) => reject(e.payload.error));
        consumer
          .subscribe({ topics: [...topics], fromBeginning: true })
          .then(() =>
            consumer.run({
              autoCommit: false,
              eachBatch: async ({ batch }) => {
                const tp = `${batch.topic}:${batch.partition}`;
                const raw = (batch as unknown as { messagesWithinOffset: RawRecord[] }).messagesWithinOffset;
                for (const m of raw) {
                  const offset = BigInt(m.offset);
                  if (offset < (position.get(tp) ?? 0n)) continue;
                  position.set(tp, offset + 1n);
                  const producer = `${tp}:${m.batchContext.producerId}`;
                  if (m.isControlRecord === true) {
                    // Control record key: version (int16), type (int16): 0 abort, 1 commit.
                    if (m.key?.readInt16BE(2) === 1) records.push(...(pending.get(producer) ?? []));
                    pending.delete(producer);
                    continue;
                  }
                  const headers: Record<string, string> = {};
                  for (const [name, v] of Object.entries(m.headers ?? {}))
                    if (v !== undefined) headers[name] = text(v);
                  const r: ConsumedRecord = {
                    topic: batch.topic,
                    partition: batch.partition,
                    offset: m.offset,
                    key: m.key?.toString() ?? null,
                    value: m.value?.toString() ?? null,
                    headers,
                  };
                  if (!m.batchContext.inTransaction) records.push(r);
                  else {
                    let list = pending.get(producer);
                    if (!list) pending.set(producer, (list = []));
                    list.push(r);
                  }
                }
              },
            }),
          )
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }
  } finally {
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect();
  }
  let unresolved = 0;
  for (const list of pending.values()) unresolved += list.length;
  return { records, unresolved };
}

/**
 * Reads the topics with {@link readCommittedRecords} again, every 2 s, until `complete` holds for
 * what was read and no transactional record is unresolved, or `timeoutMs` passed; returns the last
 * read either way (the caller's assertions then say what is missing).
 */
export async function readCommittedUntil(
  kafka: Kafka,
  topics: readonly string[],
  complete: (records: readonly ConsumedRecord[]) => boolean,
  timeoutMs = 300_000,
): Promise<{ records: ConsumedRecord[]; unresolved: number }> {
  let read = await readCommittedRecords(kafka, topics);
  for (
    let waited = 0;
    (!complete(read.records) || read.unresolved > 0) && waited < timeoutMs;
    waited += 2000
  ) {
    await new Promise((r) => setTimeout(r, 2000));
    read = await readCommittedRecords(kafka, topics);
  }
  return read;
}
