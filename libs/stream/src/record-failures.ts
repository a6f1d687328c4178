import { type DeadLetterCode } from '@app/contracts';

/** Where a record was read: the topic, partition and offset a step consumes it at. */
export interface RecordAt {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** Why the engine dead-letters a record instead of deciding it (names and sizes only, no values). */
export interface RecordVerdict {
  readonly code: Extract<DeadLetterCode, 'internal-error' | 'output-too-large' | 'corrupt-state'>;
  readonly reason: string;
}

/** Default attempts per record before the engine gives up on it: one try and two retries. */
export const DEFAULT_MAX_RECORD_ATTEMPTS = 3;
/** Records with failures remembered at once; the oldest are forgotten first (they restart their budget). */
const MAX_REMEMBERED = 10_000;

const keyOf = (at: RecordAt): string => `${at.topic}\u0000${at.partition}\u0000${at.offset}`;

/**
 * The failures of records that made a step abort, kept across claims. Why: a failed record may have
 * changed a subject's in-memory state, so its step aborts and the task is claimed afresh (state comes
 * back from the changelog); the same record is then read again. Counting per record bounds that loop:
 * once a record's budget is spent (or its failure is deterministic, like an oversized output), the
 * next attempt dead-letters it without deciding it.
 */
export class RecordFailures {
  private readonly failures = new Map<string, { attempts: number; verdict?: RecordVerdict }>();

  constructor(private readonly maxAttempts = DEFAULT_MAX_RECORD_ATTEMPTS) {}

  /** Records with failures remembered. */
  get size(): number {
    return this.failures.size;
  }

  /** The core (or serialising its result) threw on the record; returns the attempts so far. */
  failed(at: RecordAt, errorName: string): number {
    const entry = this.entry(at);
    entry.attempts++;
    if (entry.attempts >= this.maxAttempts)
      entry.verdict = {
        code: 'internal-error',
        reason: `the decision core failed on this record ${entry.attempts} times (last error: ${errorName})`,
      };
    return entry.attempts;
  }

  /** A failure that would repeat on every attempt: the next attempt dead-letters the record. */
  skip(at: RecordAt, verdict: RecordVerdict): void {
    const entry = this.entry(at);
    entry.attempts++;
    entry.verdict = verdict;
  }

  /** Set once the record is to be dead-lettered rather than decided. */
  verdict(at: RecordAt): RecordVerdict | undefined {
    return this.failures.size === 0 ? undefined : this.failures.get(keyOf(at))?.verdict;
  }

  /** The record's step committed: its failures are history. */
  settled(at: RecordAt): void {
    if (this.failures.size > 0) this.failures.delete(keyOf(at));
  }

  private entry(at: RecordAt): { attempts: number; verdict?: RecordVerdict } {
    const key = keyOf(at);
    let entry = this.failures.get(key);
    if (entry === undefined) {
      this.failures.set(key, (entry = { attempts: 0 }));
      if (this.failures.size > MAX_REMEMBERED)
        this.failures.delete(this.failures.keys().next().value as string);
    }
    return entry;
  }
}

/** Thrown to abort a step whose record would write a record larger than the broker accepts. */
export class OutputTooLargeError extends Error {
  override readonly name = 'OutputTooLargeError';
}
