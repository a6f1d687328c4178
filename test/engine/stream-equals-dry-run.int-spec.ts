import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyWithMinimumCount, streamsUnderTest } from './support/engine-stream.kit';

describe('the governed stream equals govern dry-run for the same ordered input', () => {
  const streams = streamsUnderTest();
  const dir = mkdtempSync(join(tmpdir(), 'equal-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes, record for record, the destination records, lineage and dead letters dry-run computes', async () => {
    await streams.expectEqualsDryRun({ name: 'equal', partitions: 1, identityRouting: false });
  });

  it('publishes the same anonymous per-campaign figures (R23) as dry-run, with their lineage', async () => {
    const policyFile = policyWithMinimumCount(dir, 2);
    const run = await streams.expectEqualsDryRun({
      name: 'equal-k2',
      partitions: 1,
      identityRouting: false,
      engine: { policyFile },
    });
    expect(run.aggregateFigures).toBeGreaterThan(0);
  });
});
