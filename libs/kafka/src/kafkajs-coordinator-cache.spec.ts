import { createRequire } from 'node:module';

// The project patches kafkajs's transaction manager (patches/kafkajs+2.2.4.patch) so that the
// transaction and group coordinators are looked up once and reused, instead of before each of the
// four requests of every transaction. These tests drive the patched module with a recording fake
// cluster: the lookups are cached, and a failed request forgets the cached coordinator.

interface CoordinatorQuery {
  readonly groupId: string;
  readonly coordinatorType: number;
}

interface FakeBroker {
  readonly nodeId: number;
  readonly calls: string[];
  failNext: string | null;
  /** How many AddPartitionsToTxn requests still answer CONCURRENT_TRANSACTIONS. */
  concurrentLeft: number;
}

interface EosManager {
  initProducerId(): Promise<void>;
  beginTransaction(): void;
  addPartitionsToTransaction(
    topicData: { topic: string; partitions: { partition: number }[] }[],
  ): Promise<void>;
  sendOffsets(offsets: {
    consumerGroupId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  commit(): Promise<void>;
}

type CreateEosManager = (options: {
  logger: unknown;
  cluster: unknown;
  transactional: boolean;
  transactionalId: string;
}) => EosManager;

const load = createRequire(__filename);
const createEosManager = load('kafkajs/src/producer/eosManager') as CreateEosManager;

const silent = { debug: (): void => undefined, info: (): void => undefined };
const logger = { ...silent, namespace: (): typeof silent => silent };

/** A broker that records its requests and can fail the next request of one kind. */
function fakeBroker(nodeId: number): FakeBroker & Record<string, unknown> {
  const broker: FakeBroker & Record<string, unknown> = {
    nodeId,
    calls: [],
    failNext: null,
    concurrentLeft: 0,
  };
  const answer = (name: string, result: unknown) => async (): Promise<unknown> => {
    broker.calls.push(name);
    if (broker.concurrentLeft > 0 && name === 'addPartitionsToTxn') {
      broker.concurrentLeft -= 1;
      throw Object.assign(new Error('The previous transaction is still completing'), {
        type: 'CONCURRENT_TRANSACTIONS',
      });
    }
    if (broker.failNext === name) {
      broker.failNext = null;
      throw Object.assign(new Error('This is not the correct coordinator'), {
        type: 'NOT_COORDINATOR',
      });
    }
    return result;
  };
  broker.initProducerId = answer('initProducerId', { producerId: 7, producerEpoch: 0 });
  broker.addPartitionsToTxn = answer('addPartitionsToTxn', {});
  broker.addOffsetsToTxn = answer('addOffsetsToTxn', {});
  broker.txnOffsetCommit = answer('txnOffsetCommit', {});
  broker.endTxn = answer('endTxn', {});
  return broker;
}

function fakeCluster(): { cluster: unknown; lookups: CoordinatorQuery[]; broker: FakeBroker } {
  const broker = fakeBroker(1);
  const lookups: CoordinatorQuery[] = [];
  const cluster = {
    retry: { retries: 0, initialRetryTime: 1, maxRetryTime: 1 },
    refreshMetadataIfNecessary: async (): Promise<void> => undefined,
    findGroupCoordinator: async (query: CoordinatorQuery): Promise<FakeBroker> => {
      lookups.push(query);
      return broker;
    },
  };
  return { cluster, lookups, broker };
}

async function oneTransaction(eos: EosManager, offset: number): Promise<void> {
  eos.beginTransaction();
  await eos.addPartitionsToTransaction([{ topic: 'out', partitions: [{ partition: 0 }] }]);
  await eos.sendOffsets({
    consumerGroupId: 'engine',
    topics: [{ topic: 'in', partitions: [{ partition: 0, offset: String(offset) }] }],
  });
  await eos.commit();
}

describe('kafkajs transaction manager, as patched: coordinator lookups', () => {
  it('looks each coordinator up once for many transactions', async () => {
    const { cluster, lookups, broker } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 't' });
    await eos.initProducerId();
    for (let i = 0; i < 5; i++) await oneTransaction(eos, i);

    // One lookup for InitProducerId, one for the transaction coordinator, one for the group.
    expect(lookups.map((q) => q.groupId)).toEqual(['t', 't', 'engine']);
    expect(broker.calls.filter((c) => c === 'endTxn')).toHaveLength(5);
    expect(broker.calls.filter((c) => c === 'txnOffsetCommit')).toHaveLength(5);
  });

  it('forgets the transaction coordinator after a failed AddOffsetsToTxn', async () => {
    const { cluster, lookups, broker } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 't' });
    await eos.initProducerId();
    await oneTransaction(eos, 0);
    const before = lookups.filter((q) => q.groupId === 't').length;

    eos.beginTransaction();
    await eos.addPartitionsToTransaction([{ topic: 'out', partitions: [{ partition: 0 }] }]);
    const offsets = {
      consumerGroupId: 'engine',
      topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '1' }] }],
    };
    broker.failNext = 'addOffsetsToTxn';
    await expect(eos.sendOffsets(offsets)).rejects.toThrow(/not the correct coordinator/);
    // The retry looks the coordinator up again, then the transaction completes.
    await eos.sendOffsets(offsets);
    await eos.commit();
    expect(lookups.filter((q) => q.groupId === 't')).toHaveLength(before + 1);
  });

  it('forgets the transaction coordinator after a failed AddPartitionsToTxn', async () => {
    const { cluster, lookups, broker } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 't' });
    await eos.initProducerId();
    await oneTransaction(eos, 0);
    const before = lookups.filter((q) => q.groupId === 't').length;

    eos.beginTransaction();
    broker.failNext = 'addPartitionsToTxn';
    await expect(
      eos.addPartitionsToTransaction([{ topic: 'out', partitions: [{ partition: 1 }] }]),
    ).rejects.toThrow(/not the correct coordinator/);
    await eos.addPartitionsToTransaction([{ topic: 'out', partitions: [{ partition: 1 }] }]);
    expect(lookups.filter((q) => q.groupId === 't')).toHaveLength(before + 1);
  });

  it('looks the group coordinator up again when it says it is not the coordinator', async () => {
    const { cluster, lookups, broker } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 't' });
    await eos.initProducerId();
    await oneTransaction(eos, 0);
    const groupLookups = (): number => lookups.filter((q) => q.groupId === 'engine').length;
    expect(groupLookups()).toBe(1);

    eos.beginTransaction();
    await eos.addPartitionsToTransaction([{ topic: 'out', partitions: [{ partition: 0 }] }]);
    broker.failNext = 'txnOffsetCommit';
    await expect(
      eos.sendOffsets({
        consumerGroupId: 'engine',
        topics: [{ topic: 'in', partitions: [{ partition: 0, offset: '2' }] }],
      }),
    ).rejects.toThrow();
    expect(groupLookups()).toBe(2);
  });

  it('retries AddPartitionsToTxn while the previous transaction completes, on the same coordinator', async () => {
    const { cluster, lookups, broker } = fakeCluster();
    const eos = createEosManager({ logger, cluster, transactional: true, transactionalId: 't' });
    await eos.initProducerId();
    await oneTransaction(eos, 0);
    const before = lookups.length;

    broker.concurrentLeft = 3;
    await oneTransaction(eos, 1);
    expect(broker.calls.filter((c) => c === 'addPartitionsToTxn')).toHaveLength(1 + 4);
    expect(lookups).toHaveLength(before);
  });
});
