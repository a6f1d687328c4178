import { changelogTopic, withReplication } from './topic-spec.types';

describe('withReplication', () => {
  it('sets the replication factor and min.insync.replicas, keeping the role configs', () => {
    expect(withReplication(changelogTopic('t', 6), { replicationFactor: 3, minInsyncReplicas: 2 })).toEqual({
      topic: 't',
      numPartitions: 6,
      replicationFactor: 3,
      configs: { 'cleanup.policy': 'compact', 'min.insync.replicas': '2' },
    });
  });

  it('refuses more in-sync replicas than copies (no write could ever succeed)', () => {
    expect(() =>
      withReplication(changelogTopic('t', 1), { replicationFactor: 1, minInsyncReplicas: 2 }),
    ).toThrow('min.insync.replicas must be between 1 and the replication factor');
    expect(() =>
      withReplication(changelogTopic('t', 1), { replicationFactor: 0, minInsyncReplicas: 1 }),
    ).toThrow('the replication factor must be a positive integer');
  });
});
