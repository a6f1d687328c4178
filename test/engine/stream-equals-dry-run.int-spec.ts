import { provideKafka, type KafkaUnderTest } from '@app/testing';
import { type GovernedStream } from '../../services/policy-engine/src/stream/governed-stream';
import { expectStreamEqualsDryRun } from './support/engine-stream.kit';

describe('the governed stream equals govern dry-run for the same ordered input', () => {
  let broker: KafkaUnderTest;
  let engine: GovernedStream | undefined;

  beforeAll(async () => {
    broker = await provideKafka();
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
  });
  afterAll(async () => {
    await broker.stop();
  });

  it('writes, record for record, the destination records, lineage and dead letters dry-run computes', async () => {
    ({ engine } = await expectStreamEqualsDryRun(broker.brokers, {
      name: 'equal',
      partitions: 1,
      identityRouting: false,
    }));
  });
});
