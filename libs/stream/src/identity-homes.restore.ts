import { type Kafka } from 'kafkajs';
import { readTopicToEnd } from '@app/kafka';
import { type CompiledPolicy } from '@app/policy';
import { IdentityHomes } from './identity-homes';
import { type ReleaseLog } from './identity-homes.release';
import { emptyReleaseLog, isReleaseLogKey, restoreReleaseLogEntry } from './identity-homes.release-log';
import { parseSequenceValue, SEQUENCE_KEY, type RouterSequence } from './identity-route.step';

/**
 * The identity-homes table, the handover sequence and route position, and the release log as of
 * the router's last committed step, read from their compacted topic (the numbering is the entry
 * under {@link SEQUENCE_KEY}, the release log the entries of `isReleaseLogKey`; dropped groups are
 * tombstones).
 */
export async function restoreIdentityHomes(
  kafka: Kafka,
  topic: string,
  policy: CompiledPolicy,
): Promise<{ homes: IdentityHomes; sequence: RouterSequence; log: ReleaseLog }> {
  const homes = new IdentityHomes(policy);
  let sequence: RouterSequence = { last: 0, position: 0 };
  const log = emptyReleaseLog();
  await readTopicToEnd(kafka, {
    topic,
    onBatch: ({ messages }) => {
      for (const m of messages) {
        if (m.key === null) continue;
        if (isReleaseLogKey(m.key)) {
          restoreReleaseLogEntry(log, m.key, m.value);
          continue;
        }
        const key = m.key.toString('utf8');
        const value = m.value === null ? null : m.value.toString('utf8');
        if (key === SEQUENCE_KEY) sequence = parseSequenceValue(value);
        else homes.restore(key, value);
      }
    },
  });
  return { homes, sequence, log };
}
