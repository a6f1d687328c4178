import { type LineageRowInput, lineageRow } from '@app/audit-store';

/**
 * Dead-letter lineage records: the smallest kind, so tests can write thousands of them; each names
 * its event id and time, and nothing personal.
 */
export function deadLetterJson(eventId: string, time: string, policyVersion = 'test'): string {
  return JSON.stringify({
    lineageVersion: 2,
    kind: 'dead-letter',
    policyVersion,
    eventId,
    subject: null,
    time,
    code: 'schema-violation',
    reason: 'data.email: must be a string',
  });
}

/** Dead-letter rows of one topic-partition at consecutive offsets, as the sink maps them. */
export function deadLetterRows(topic: string): (time: string) => LineageRowInput {
  let offset = 0;
  return (time) =>
    lineageRow(
      { topic, partition: 0, offset: String(offset++) },
      '0',
      Buffer.from(deadLetterJson(`e-${time}`, time)),
    );
}
