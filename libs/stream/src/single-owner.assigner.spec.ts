import { AssignerProtocol, type Cluster, type GroupMember } from 'kafkajs';
import { singleOwnerAssigner } from './single-owner.assigner';

const cluster = (partitions: Record<string, number>): Cluster =>
  ({
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({ partitionId })),
  }) as unknown as Cluster;
const member = (memberId: string): GroupMember => ({ memberId, memberMetadata: Buffer.alloc(0) });

describe('the single-owner assignor (identity router)', () => {
  it('gives every partition of every topic to the first member by id; the others stand by', async () => {
    const topics = { evidence: 3, 'source.web': 3 };
    const assigner = singleOwnerAssigner({
      cluster: cluster(topics),
      groupId: 'g',
      logger: undefined as never,
    });
    const plan = await assigner.assign({
      members: ['m-b', 'm-a', 'm-c'].map(member),
      topics: Object.keys(topics),
    });
    const decoded = new Map(
      plan.map((a) => [a.memberId, AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment]),
    );
    expect(decoded.get('m-a')).toEqual({ evidence: [0, 1, 2], 'source.web': [0, 1, 2] });
    expect(decoded.get('m-b')).toEqual({});
    expect(decoded.get('m-c')).toEqual({});
  });
});
