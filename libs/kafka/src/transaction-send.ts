import { type Message, type Transaction } from 'kafkajs';
import { type OutputRecord } from './output-record.types';

/**
 * A produce request carries one record batch per partition, and the broker refuses a batch over
 * `message.max.bytes` (1 MiB by default) with an error kafkajs retries forever. Outputs are therefore
 * sent in chunks well below that; all chunks belong to the same transaction, so they still commit or
 * abort together.
 */
export const MAX_CHUNK_BYTES = 512 * 1024;

// Per-record overhead of the record format (offsets, lengths, timestamps), generously rounded up.
const RECORD_OVERHEAD_BYTES = 64;

function sizeOf(part: Buffer | string | null | undefined): number {
  if (part === null || part === undefined) return 0;
  return typeof part === 'string' ? Buffer.byteLength(part) : part.length;
}

/**
 * The bytes a record takes on the wire, generously rounded up: key, value, header names and values,
 * plus the record format's overhead. What the engine checks against the broker's record size limit.
 */
export function recordBytes(r: OutputRecord): number {
  let headers = 0;
  for (const [name, value] of Object.entries(r.headers ?? {})) {
    headers +=
      Buffer.byteLength(name) +
      (Array.isArray(value) ? value.reduce((n, v) => n + sizeOf(v), 0) : sizeOf(value));
  }
  return sizeOf(r.key) + sizeOf(r.value) + headers + RECORD_OVERHEAD_BYTES;
}

/** Splits records, in order, into chunks of at most `maxBytes` (a single larger record stands alone). */
export function chunkRecords(records: readonly OutputRecord[], maxBytes = MAX_CHUNK_BYTES): OutputRecord[][] {
  const out: OutputRecord[][] = [];
  let current: OutputRecord[] = [];
  let bytes = 0;
  for (const r of records) {
    const size = recordBytes(r);
    if (current.length > 0 && bytes + size > maxBytes) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(r);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Groups records by topic for one `sendBatch`, keeping their order within each topic. */
export function topicMessages(records: readonly OutputRecord[]): { topic: string; messages: Message[] }[] {
  const byTopic = new Map<string, Message[]>();
  for (const r of records) {
    let messages = byTopic.get(r.topic);
    if (!messages) byTopic.set(r.topic, (messages = []));
    messages.push({
      key: r.key,
      value: r.value,
      headers: r.headers,
      partition: r.partition,
      timestamp: r.timestamp,
    });
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }));
}

/** Sends every record inside the open transaction, in chunks the broker accepts. */
export async function sendInTransaction(
  transaction: Transaction,
  records: readonly OutputRecord[],
): Promise<void> {
  for (const chunk of chunkRecords(records))
    await transaction.sendBatch({ topicMessages: topicMessages(chunk) });
}
