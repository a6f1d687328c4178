import { type Message, type Transaction } from 'kafkajs';
import { type OutputRecord } from './output-record.types';

/**
 * A produce request carries one record batch per partition, and the broker refuses a batch over
 * `message.max.bytes` (1 MiB by default) with an error kafkajs retries forever. Outputs are therefore
 * sent in chunks that hold at most this much per partition; all chunks belong to the same
 * transaction, so they still commit or abort together.
 */
export const MAX_CHUNK_BYTES = 512 * 1024;

/**
 * Most bytes one chunk (one produce request per broker) carries over all its partitions. Why a cap:
 * kafkajs encodes a request into one buffer it grows by doubling, so very large requests cost
 * copies; a few MB keeps the round trips of a step few.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;

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

/**
 * Splits records, in order, into chunks in which no partition's records exceed `maxBytes` (a single
 * larger record stands alone) and the whole stays under `maxRequestBytes`. Records without a
 * partition may land in any partition of their topic, so they count against one bucket per topic.
 * Why per partition: the broker's limit is per record batch, and a step's outputs spread over many
 * topic partitions; a limit on the whole chunk made a step several sequential round trips.
 */
export function chunkRecords(
  records: readonly OutputRecord[],
  maxBytes = MAX_CHUNK_BYTES,
  maxRequestBytes = Math.max(maxBytes, MAX_REQUEST_BYTES),
): OutputRecord[][] {
  const out: OutputRecord[][] = [];
  let current: OutputRecord[] = [];
  let bytes = 0;
  let batches = new BatchBytes();
  for (const r of records) {
    const size = recordBytes(r);
    if (current.length > 0 && (batches.after(r, size) > maxBytes || bytes + size > maxRequestBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
      batches = new BatchBytes();
    }
    current.push(r);
    bytes += size;
    batches.add(r, size);
  }
  if (current.length > 0) out.push(current);
  return out;
}

/**
 * Bytes per partition batch of one chunk. A record without a partition may join any partition of
 * its topic, so it is counted as joining the fullest one, and every known partition as also
 * holding all of the topic's unplaced records.
 */
class BatchBytes {
  private readonly placed = new Map<string, number>();
  private readonly unplaced = new Map<string, number>();
  private readonly fullest = new Map<string, number>();

  /** The largest batch `r` would be in, with it. */
  after(r: OutputRecord, size: number): number {
    const loose = this.unplaced.get(r.topic) ?? 0;
    if (r.partition === undefined) return loose + (this.fullest.get(r.topic) ?? 0) + size;
    return loose + (this.placed.get(`${r.topic}\u0000${r.partition}`) ?? 0) + size;
  }

  add(r: OutputRecord, size: number): void {
    if (r.partition === undefined) {
      this.unplaced.set(r.topic, (this.unplaced.get(r.topic) ?? 0) + size);
      return;
    }
    const key = `${r.topic}\u0000${r.partition}`;
    const n = (this.placed.get(key) ?? 0) + size;
    this.placed.set(key, n);
    if (n > (this.fullest.get(r.topic) ?? 0)) this.fullest.set(r.topic, n);
  }
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
