import { type KafkaMessage } from 'kafkajs';
import { type InputQueue, type MergedRecord, skipFilteredBatch, takeInProducedOrder } from './input-merge';

/** A fetched record: only its offset and timestamp matter to the merge. */
function record(offset: number, timestamp: number): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(`r${offset}`),
    timestamp: String(timestamp),
    attributes: 0,
    offset: String(offset),
    headers: {},
  } as KafkaMessage;
}

/**
 * One input partition of a task, in task order (rank = position, evidence first), holding records
 * with the given timestamps from offset 0. `end` is its end offset; by default everything up to the
 * end has been fetched (`next === end`).
 */
function queue(topic: string, rank: number, timestamps: number[], end = timestamps.length): InputQueue {
  return {
    topic,
    rank,
    messages: timestamps.map((ts, i) => record(i, ts)),
    next: BigInt(timestamps.length),
    end: BigInt(end),
  };
}

/** Runs the merge the way a step does: over everything queued, against the current `next`. */
function take(queues: InputQueue[], max = 100): MergedRecord[] {
  return takeInProducedOrder(
    queues,
    queues.map((q) => q.messages.length),
    queues.map((q) => q.next),
    max,
  );
}

const taken = (records: MergedRecord[]): string[] =>
  records.map((r) => `${r.queue.topic}@${r.message.timestamp}`);

describe('takeInProducedOrder (the merge of a task’s inputs)', () => {
  it('takes records of all inputs in produced order: smallest record timestamp first', () => {
    const evidence = queue('evidence', 0, [20, 50]);
    const web = queue('web', 1, [10, 30, 60]);
    const crm = queue('crm', 2, [40]);

    expect(taken(take([evidence, web, crm]))).toEqual([
      'web@10',
      'evidence@20',
      'web@30',
      'crm@40',
      'evidence@50',
      'web@60',
    ]);
  });

  it('takes consent evidence before a source event with the same timestamp', () => {
    const evidence = queue('evidence', 0, [100]);
    const web = queue('web', 1, [100]);

    expect(taken(take([evidence, web]))).toEqual(['evidence@100', 'web@100']);
  });

  it('keeps the order of one input (by offset) when its timestamps are equal', () => {
    const web = queue('web', 0, [7, 7, 7]);

    expect(take([web]).map((r) => r.message.offset)).toEqual(['0', '1', '2']);
  });

  it('stops as soon as another input that is not read to its end has run dry', () => {
    // Evidence has nothing queued but its end offset says two records are still to be fetched:
    // one of them may be older than any queued source event.
    const evidence = queue('evidence', 0, [], 2);
    const web = queue('web', 1, [10, 20]);

    expect(take([evidence, web])).toEqual([]);
  });

  it('takes what is older than the next queued record, then stops where an unread input ran dry', () => {
    const evidence = queue('evidence', 0, [15], 3); // two more evidence records not fetched yet
    const web = queue('web', 1, [10, 20]);

    expect(taken(take([evidence, web]))).toEqual(['web@10', 'evidence@15']);
  });

  it('resumes once the input that blocked it is known to be read to its end', () => {
    const evidence = queue('evidence', 0, [], 2);
    const web = queue('web', 1, [10, 20]);
    expect(take([evidence, web])).toEqual([]);

    // The two missing evidence records arrive; now every input is read to its end.
    evidence.messages.push(record(0, 5), record(1, 25));
    evidence.next = 2n;

    expect(taken(take([evidence, web]))).toEqual(['evidence@5', 'web@10', 'web@20', 'evidence@25']);
  });

  it('judges "read to the end" by the offset fetched at the snapshot, not by later fetches', () => {
    const evidence = queue('evidence', 0, [], 1);
    const web = queue('web', 1, [10]);
    // A record of evidence was fetched after the snapshot: this step must not count on it.
    const nextAtSnapshot = [0n, 1n];

    expect(takeInProducedOrder([evidence, web], [0, 1], nextAtSnapshot, 100)).toEqual([]);
  });

  it('considers only the records available at the snapshot', () => {
    const web = queue('web', 0, [10, 20, 30]);

    expect(taken(takeInProducedOrder([web], [2], [3n], 100))).toEqual(['web@10', 'web@20']);
  });

  it('takes at most `max` records', () => {
    const evidence = queue('evidence', 0, [1, 3]);
    const web = queue('web', 1, [2, 4]);

    expect(taken(take([evidence, web], 3))).toEqual(['evidence@1', 'web@2', 'evidence@3']);
  });

  it('takes nothing when every queue is empty', () => {
    expect(take([queue('evidence', 0, []), queue('web', 1, [])])).toEqual([]);
  });

  it('takes nothing when there are no queues', () => {
    expect(take([])).toEqual([]);
  });

  it('drains a single input in offset order', () => {
    const web = queue('web', 0, [1, 2, 3]);

    expect(take([web]).map((r) => r.message.offset)).toEqual(['0', '1', '2']);
  });

  it('drains one input while the others are empty and read to their end', () => {
    const evidence = queue('evidence', 0, []);
    const web = queue('web', 1, [4, 8]);
    const crm = queue('crm', 2, []);

    expect(taken(take([evidence, web, crm]))).toEqual(['web@4', 'web@8']);
  });

  it('returns each record with the queue it came from', () => {
    const evidence = queue('evidence', 0, [1]);
    const [first] = take([evidence]);

    expect(first?.queue).toBe(evidence);
    expect(first?.message).toBe(evidence.messages[0]);
  });
});

describe('skipFilteredBatch', () => {
  const report = (first: number | null, last: number, high: number, size = 0) => ({
    batchSize: size,
    firstOffset: first === null ? null : String(first),
    lastOffset: String(last),
    highWatermark: String(high),
  });

  it('moves an idle queue past a trailing commit marker, so the merge no longer waits for it', () => {
    // Records at 0 and 1 (a transaction), its commit marker at 2: the end offset is 3.
    const crm = queue('crm', 1, [10, 20], 3);
    const web = queue('web', 2, [30]);
    const snapshot = (): bigint[] => [crm.next, web.next];
    const first = takeInProducedOrder([crm, web], [2, 1], snapshot(), 10);
    // crm looks unfinished (2 < 3): the later web record must wait.
    expect(first.map((r) => r.queue.topic)).toEqual(['crm', 'crm']);
    crm.messages.splice(0, 2);
    expect(takeInProducedOrder([crm, web], [0, 1], snapshot(), 10)).toEqual([]);
    expect(skipFilteredBatch(crm, report(2, 2, 3))).toBe(true);
    expect(crm.next).toBe(3n);
    expect(takeInProducedOrder([crm, web], [0, 1], snapshot(), 10).map((r) => r.queue.topic)).toEqual([
      'web',
    ]);
  });

  it('never skips unread records: a batch starting after the queue, one with records, one already behind', () => {
    const q = queue('crm', 1, [10, 20], 9);
    expect(skipFilteredBatch(q, report(5, 6, 9))).toBe(false); // offsets 2-4 not read yet
    expect(skipFilteredBatch(q, report(2, 4, 9, 1))).toBe(false); // it had records: eachBatch has them
    expect(skipFilteredBatch(q, report(0, 1, 9))).toBe(false); // behind the queue
    expect(skipFilteredBatch(q, report(null, 1, 9))).toBe(false);
    expect(q.next).toBe(2n);
    // Aborted records and their marker, starting at the queue's next offset: all skipped.
    expect(skipFilteredBatch(q, report(2, 5, 9))).toBe(true);
    expect(q.next).toBe(6n);
  });
});
