import { type KafkaMessage } from 'kafkajs';
import {
  DEMO_PSEUDONYM_KEYRING,
  emptySubjectState,
  GovernanceProcessor,
  loadPolicy,
  QUARANTINED,
} from '@app/policy';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { restoreSubject, type SubjectRestore } from './subject-restore';
import { type PendingDeadLetter } from './stream-task';

const policy = loadPolicy(
  readFileSync(join(__dirname, '..', '..', '..', 'policies', 'example.yaml'), 'utf8'),
  {
    fileName: 'example.yaml',
  },
);

const record = (value: string, offset: string): KafkaMessage =>
  ({
    key: Buffer.from('S1'),
    value: Buffer.from(value),
    offset,
    timestamp: '0',
    attributes: 0,
    headers: {},
  }) as KafkaMessage;

describe('restoring a subject from the changelog', () => {
  const restore: SubjectRestore = { changelog: 'changelog', deadLetter: 'dlq', reported: new Set() };

  it('leaves a corrupt record to the core’s quarantine and dead-letters the record once', () => {
    const core = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const pending: PendingDeadLetter[] = [];
    for (const [value, offset] of [
      ['{"v":2,"purposes":', '1'],
      ['{"v":9}', '2'],
    ] as const)
      expect(
        restoreSubject(restore, core, 'S1', { partition: 0, message: record(value, offset) }, pending),
      ).toBe(false);
    expect(pending).toHaveLength(2);
    expect(core.exportState('S1')).toEqual(QUARANTINED);
  });

  it('keeps a carried quarantine marker without another dead letter, and a valid state lifts it', () => {
    const core = new GovernanceProcessor(policy, { pseudonymKeys: DEMO_PSEUDONYM_KEYRING });
    const pending: PendingDeadLetter[] = [];
    const marker = record(JSON.stringify(QUARANTINED), '3');
    expect(restoreSubject(restore, core, 'S1', { partition: 0, message: marker }, pending)).toBe(false);
    expect(pending).toEqual([]);
    expect(core.exportState('S1')).toEqual(QUARANTINED);
    const valid = record(JSON.stringify(emptySubjectState()), '4');
    expect(restoreSubject(restore, core, 'S1', { partition: 0, message: valid }, pending)).toBe(true);
    expect(core.exportState('S1')).toEqual(emptySubjectState());
  });
});
