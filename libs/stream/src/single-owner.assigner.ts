import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const SINGLE_OWNER_ASSIGNER_NAME = 'SingleOwner';

/**
 * Gives every partition of every subscribed topic to one member (the first by id). The identity
 * router merges all input partitions in produced order, so it is one task; other members stand by
 * and take over at the next rebalance.
 */
export const singleOwnerAssigner: PartitionAssigner = ({ cluster }) => ({
  name: SINGLE_OWNER_ASSIGNER_NAME,
  version: 1,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const all: Record<string, number[]> = {};
    for (const topic of topics)
      all[topic] = cluster.findTopicPartitionMetadata(topic).map((p) => p.partitionId);
    return ids.map((memberId, i) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: i === 0 ? all : {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: SINGLE_OWNER_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
