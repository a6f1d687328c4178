import { type IHeaders, type KafkaMessage } from 'kafkajs';
import { type OutputRecord } from './output-record.types';

/** Header names a dead-letter record carries besides the original headers. */
export const DEAD_LETTER_HEADERS = {
  sourceTopic: 'dlq.source.topic',
  sourcePartition: 'dlq.source.partition',
  sourceOffset: 'dlq.source.offset',
  errorCode: 'dlq.error.code',
  reason: 'dlq.error.reason',
} as const;

/** Where the bad record came from and why it could not be processed. */
export interface DeadLetterInput {
  /** The dead-letter topic to write to. */
  readonly deadLetterTopic: string;
  readonly sourceTopic: string;
  readonly sourcePartition: number;
  readonly message: KafkaMessage;
  /** A code from a closed set, e.g. `not-json`. */
  readonly code: string;
  /**
   * A readable reason that names the path and the constraint that failed. The caller guarantees it
   * holds no personal data (no values from the payload): it is copied into a header as is.
   */
  readonly reason: string;
}

/**
 * Builds the dead-letter output for one input record: the original key, value bytes and headers
 * untouched (so the record can be replayed after a fix), plus `dlq.*` headers with the source
 * coordinates, the error code and the reason. The dlq headers replace same-named original headers.
 * Returned as an ordinary output, it commits in the same transaction as the batch's offsets.
 */
export function buildDeadLetter(input: DeadLetterInput): OutputRecord {
  const { message } = input;
  const headers: IHeaders = { ...(message.headers ?? {}) };
  headers[DEAD_LETTER_HEADERS.sourceTopic] = input.sourceTopic;
  headers[DEAD_LETTER_HEADERS.sourcePartition] = String(input.sourcePartition);
  headers[DEAD_LETTER_HEADERS.sourceOffset] = message.offset;
  headers[DEAD_LETTER_HEADERS.errorCode] = input.code;
  headers[DEAD_LETTER_HEADERS.reason] = input.reason;
  return { topic: input.deadLetterTopic, key: message.key, value: message.value, headers };
}
