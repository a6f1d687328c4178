import { AssignerProtocol, type Cluster, type GroupMember } from 'kafkajs';
import { CO_PARTITIONED_ASSIGNER_NAME, coPartitionedAssigner } from './co-partitioned.assigner';

/** A cluster whose topics have the given partition counts (the only thing the assignor asks). */
function cluster(partitions: Record<string, number>): Cluster {
  return {
    findTopicPartitionMetadata: (topic: string) =>
      Array.from({ length: partitions[topic] ?? 0 }, (_, partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
      })),
  } as unknown as Cluster;
}

const member = (memberId: string): GroupMember => ({ memberId, memberMetadata: Buffer.alloc(0) });

/** Runs the assignor and decodes its plan: member id → topic → partitions. */
async function assign(
  partitions: Record<string, number>,
  memberIds: string[],
): Promise<Map<string, Record<string, number[]>>> {
  const assigner = coPartitionedAssigner({
    cluster: cluster(partitions),
    groupId: 'g',
    logger: undefined as never,
  });
  const plan = await assigner.assign({ members: memberIds.map(member), topics: Object.keys(partitions) });
  return new Map(
    plan.map((a) => [
      a.memberId,
      AssignerProtocol.MemberAssignment.decode(a.memberAssignment)?.assignment ?? {},
    ]),
  );
}

/** Every (topic, partition) of the plan with the member that got it. */
function owners(
  plan: Map<string, Record<string, number[]>>,
): { topic: string; partition: number; owner: string }[] {
  return [...plan].flatMap(([owner, byTopic]) =>
    Object.entries(byTopic).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition, owner }))),
  );
}

const TOPICS = { evidence: 6, 'source.web': 6, 'source.crm': 6, changelog: 6 };

describe('the co-partitioning assignor', () => {
  it('gives partition p of every subscribed topic to the same member', async () => {
    const plan = await assign(TOPICS, ['m-b', 'm-a', 'm-c']);
    const ownerOf = new Map<number, Set<string>>();
    for (const { partition, owner } of owners(plan)) {
      ownerOf.set(partition, (ownerOf.get(partition) ?? new Set()).add(owner));
    }

    expect([...ownerOf.keys()].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const [partition, members] of ownerOf)
      expect({ partition, members: members.size }).toEqual({ partition, members: 1 });
  });

  it('assigns every partition of every topic exactly once', async () => {
    const plan = await assign(TOPICS, ['m-1', 'm-2', 'm-3', 'm-4']);
    const assigned = owners(plan).map(({ topic, partition }) => `${topic}/${partition}`);
    const expected = Object.entries(TOPICS).flatMap(([topic, n]) =>
      Array.from({ length: n }, (_, p) => `${topic}/${p}`),
    );

    expect(assigned.sort()).toEqual(expected.sort());
  });

  it('spreads the tasks over the members', async () => {
    const plan = await assign(TOPICS, ['m-1', 'm-2', 'm-3']);

    for (const byTopic of plan.values()) expect(byTopic['evidence']).toHaveLength(2);
  });

  it('makes the same plan for the same members, whatever order they are listed in', async () => {
    const first = await assign(TOPICS, ['m-c', 'm-a', 'm-b']);
    const second = await assign(TOPICS, ['m-a', 'm-b', 'm-c']);

    expect(owners(second).sort(byCoordinates)).toEqual(owners(first).sort(byCoordinates));
  });

  it('answers every member, giving nothing to the members beyond the partition count', async () => {
    const plan = await assign({ evidence: 2, 'source.web': 2 }, ['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);

    expect([...plan.keys()].sort()).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);
    expect(owners(plan)).toHaveLength(4);
    expect(new Set(owners(plan).map((o) => o.owner)).size).toBe(2);
    const idle = [...plan.values()].filter((byTopic) => Object.keys(byTopic).length === 0);
    expect(idle).toHaveLength(3);
  });

  it('gives everything to a single member', async () => {
    const plan = await assign(TOPICS, ['only']);

    expect(owners(plan)).toHaveLength(24);
    expect(new Set(owners(plan).map((o) => o.owner))).toEqual(new Set(['only']));
  });

  it('announces its name and the subscribed topics in its protocol metadata', () => {
    const assigner = coPartitionedAssigner({
      cluster: cluster(TOPICS),
      groupId: 'g',
      logger: undefined as never,
    });
    const protocol = assigner.protocol({ topics: ['evidence', 'source.web'] });

    expect(protocol.name).toBe(CO_PARTITIONED_ASSIGNER_NAME);
    expect(AssignerProtocol.MemberMetadata.decode(protocol.metadata)?.topics).toEqual([
      'evidence',
      'source.web',
    ]);
  });
});

function byCoordinates(
  a: { topic: string; partition: number },
  b: { topic: string; partition: number },
): number {
  return a.topic.localeCompare(b.topic) || a.partition - b.partition;
}
