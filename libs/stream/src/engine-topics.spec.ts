import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadPolicy } from '@app/policy';
import { engineTopicSpecs, engineTopics } from './engine-topics';

const ROOT = join(__dirname, '..', '..', '..');
const policy = loadPolicy(readFileSync(join(ROOT, 'policies', 'example.yaml'), 'utf8'), {
  fileName: 'example.yaml',
});

describe('engineTopicSpecs', () => {
  const topics = engineTopics(policy);
  const specs = new Map(engineTopicSpecs(topics, 3).map((s) => [s.topic, s]));

  it('has the broker store the audit trail (lineage, dead letters) gzip-compressed, kept for a year', () => {
    for (const topic of [topics.lineage, topics.deadLetter]) {
      expect(specs.get(topic)?.configs).toEqual({
        'cleanup.policy': 'delete',
        'retention.ms': String(52 * 7 * 24 * 3600 * 1000),
        'compression.type': 'gzip',
      });
    }
  });

  it('keeps every policy version text, compacted by version, forever, in one partition, room for 1 MiB', () => {
    expect(topics.policyVersions).toBe('governance.policy-versions');
    expect(specs.get(topics.policyVersions)).toEqual({
      topic: 'governance.policy-versions',
      numPartitions: 1,
      configs: {
        'cleanup.policy': 'compact',
        'retention.ms': '-1',
        'max.message.bytes': String(2 * 1024 * 1024),
      },
    });
  });

  it('keeps each subject’s suppressed purposes per destination with no time limit', () => {
    expect([...topics.suppressions.keys()]).toEqual([...topics.destinations.keys()]);
    for (const [name, topic] of topics.suppressions) {
      expect(topic).toBe(`${topics.destinations.get(name)}.suppressions`);
      expect(specs.get(topic)?.configs).toEqual({ 'cleanup.policy': 'compact', 'retention.ms': '-1' });
      // Same partition count as the destination topic: a subject lands on the same partition number.
      expect(specs.get(topic)?.numPartitions).toBe(3);
    }
  });

  it('refuses a destination topic that would make a suppression topic collide with another topic', () => {
    const clash = {
      ...policy,
      destinations: [
        ...policy.destinations,
        { ...policy.destinations[0], name: 'clash', topic: `${policy.destinations[0]?.topic}.suppressions` },
      ],
    } as typeof policy;
    expect(() => engineTopics(clash)).toThrow(/suppression topic .* is also another topic/);
  });

  it('leaves inputs, changelogs and destination topics as their producers write them', () => {
    const others = [...specs.values()].filter(
      (s) => s.topic !== topics.lineage && s.topic !== topics.deadLetter,
    );
    expect(others.length).toBeGreaterThan(5);
    for (const spec of others) expect(spec.configs?.['compression.type']).toBeUndefined();
    expect(specs.get(topics.changelog)?.configs).toEqual({ 'cleanup.policy': 'compact' });
  });

  it('keeps the identity releases keyed by key, compacted, and no longer than the streams they stand for', () => {
    expect(topics.releases).toBe('governance.identity-releases');
    expect(specs.get(topics.releases)).toEqual({
      topic: 'governance.identity-releases',
      numPartitions: 3,
      configs: { 'cleanup.policy': 'compact,delete', 'retention.ms': String(7 * 24 * 3600 * 1000) },
    });
  });

  it('puts the replication settings on every topic', () => {
    const replicated = engineTopicSpecs(topics, 3, {}, { replicationFactor: 3, minInsyncReplicas: 2 });
    expect(replicated).toHaveLength(specs.size);
    for (const spec of replicated) {
      expect(spec.replicationFactor).toBe(3);
      expect(spec.configs?.['min.insync.replicas']).toBe('2');
    }
  });
});

describe('engineTopics: input topics', () => {
  it('reads the topics the policy declares, prefixed, and tells the core their declared names', () => {
    const declared = loadPolicy(
      readFileSync(join(ROOT, 'policies', 'example.yaml'), 'utf8')
        .replace('  maxEventBytes: 65536\n', '  maxEventBytes: 65536\n  consentEvidenceTopic: cmp.consents\n')
        .replace('sources:\n  crm:\n', 'sources:\n  crm:\n    topic: crm.customers\n'),
      { fileName: 'declared.yaml' },
    );
    const topics = engineTopics(declared, 'run-1.');
    expect(topics.evidence).toBe('run-1.cmp.consents');
    expect(topics.sources.get('crm')).toBe('run-1.crm.customers');
    expect(topics.sources.get('web')).toBe('run-1.source.web');
    expect(topics.inputs[0]).toBe('run-1.cmp.consents');
    expect([...topics.policyTopicOf].sort()).toEqual(
      [
        ['run-1.cmp.consents', 'cmp.consents'],
        ['run-1.crm.customers', 'crm.customers'],
        ...['checkout', 'email', 'newsletter', 'web'].map((s) => [`run-1.source.${s}`, `source.${s}`]),
      ].sort(),
    );
    expect(new Set(topics.policyTopicOf.keys())).toEqual(new Set(topics.inputs));
  });
});
