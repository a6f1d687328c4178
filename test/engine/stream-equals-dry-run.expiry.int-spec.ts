import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTopicToEnd } from '@app/kafka';
import { POLICY_FILE, streamsUnderTest } from './support/engine-stream.kit';

// The sample spans fourteen months; with a 30-day state horizon and a 7-day double opt-in window
// most subjects expire, some while a later event of theirs is still to come. Each of the 4 tasks
// sweeps by its own clock and dry-run by one for all: their outputs are still equal, because a
// subject's own next event expires it wherever the sweep has not yet.
describe('with state expiry, 4 partitions and identity routing, the governed stream equals govern dry-run', () => {
  const streams = streamsUnderTest();
  const dir = mkdtempSync(join(tmpdir(), 'expiry-equal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the same records, lineage and dead letters, and tombstones expired subjects', async () => {
    const policyFile = join(dir, 'policy.yaml');
    writeFileSync(
      policyFile,
      readFileSync(POLICY_FILE, 'utf8')
        .replace(/stateHorizonDays: \d+/, 'stateHorizonDays: 30')
        .replace(/doubleOptInConfirmationDays: \d+/, 'doubleOptInConfirmationDays: 7'),
    );
    const run = await streams.expectEqualsDryRun({
      name: 'expiry4',
      partitions: 4,
      identityRouting: true,
      engine: { policyFile },
    });
    let tombstones = 0;
    await readTopicToEnd(run.kafka, {
      topic: run.engine.topics.changelog,
      onBatch: ({ messages }) => {
        for (const m of messages) if (m.value === null) tombstones++;
      },
    });
    expect(tombstones).toBeGreaterThan(50);
  });
});
