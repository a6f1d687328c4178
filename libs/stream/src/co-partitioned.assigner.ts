import { AssignerProtocol, type PartitionAssigner } from 'kafkajs';

export const CO_PARTITIONED_ASSIGNER_NAME = 'CoPartitioned';

/**
 * Gives partition p of EVERY subscribed topic to the same member (member = p mod members, members
 * sorted by id), as Kafka Streams does for co-partitioned topics. That is what lets one task merge
 * a subject's consent evidence and source events in their produced order.
 */
export const coPartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: CO_PARTITIONED_ASSIGNER_NAME,
  version: 1,
  async assign({ members, topics }) {
    const ids = members.map((m) => m.memberId).sort();
    const plan = new Map<string, Record<string, number[]>>(ids.map((id) => [id, {}]));
    for (const topic of topics) {
      for (const { partitionId } of cluster.findTopicPartitionMetadata(topic)) {
        const owner = plan.get(ids[partitionId % ids.length] as string) as Record<string, number[]>;
        (owner[topic] ??= []).push(partitionId);
      }
    }
    return ids.map((memberId) => ({
      memberId,
      memberAssignment: AssignerProtocol.MemberAssignment.encode({
        version: 1,
        assignment: plan.get(memberId) ?? {},
        userData: Buffer.alloc(0),
      }),
    }));
  },
  protocol({ topics }) {
    return {
      name: CO_PARTITIONED_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }),
    };
  },
});
