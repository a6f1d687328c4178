import { streamsUnderTest } from './support/engine-stream.kit';

describe('the governed stream equals govern dry-run for the same ordered input', () => {
  const streams = streamsUnderTest();

  it('writes, record for record, the destination records, lineage and dead letters dry-run computes', async () => {
    await streams.expectEqualsDryRun({ name: 'equal', partitions: 1, identityRouting: false });
  });
});
