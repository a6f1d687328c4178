import { type Kafka } from 'kafkajs';
import { readTopicToEnd } from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';
import { IdentityHomes } from './identity-homes';
import { SEQUENCE_KEY, type RouterSequence } from './identity-route.step';

/**
 * The identity-homes table and the handover sequence as of the router's last committed step, read
 * from their compacted topic (the sequence is the entry under {@link SEQUENCE_KEY}).
 */
export async function restoreIdentityHomes(
  kafka: Kafka,
  topic: string,
  policy: CompiledPolicy,
): Promise<{ homes: IdentityHomes; sequence: RouterSequence }> {
  const homes = new IdentityHomes(policy);
  const sequence = { last: 0 };
  await readTopicToEnd(kafka, {
    topic,
    onBatch: ({ messages }) => {
      for (const m of messages) {
        if (m.key === null) continue;
        const key = m.key.toString('utf8');
        const value = m.value === null ? null : m.value.toString('utf8');
        if (key === SEQUENCE_KEY) sequence.last = Number(value ?? '0');
        else homes.restore(key, value);
      }
    },
  });
  return { homes, sequence };
}
