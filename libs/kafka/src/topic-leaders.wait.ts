import { type Admin } from 'kafkajs';

// Answers a just-created (or just-moved) partition gives until its leader serves requests.
const RETRIABLE = new Set([
  'UNKNOWN_TOPIC_OR_PARTITION',
  'LEADER_NOT_AVAILABLE',
  'NOT_LEADER_FOR_PARTITION',
  'NOT_LEADER_OR_FOLLOWER',
]);

/** True for the leadership errors a partition gives while its leader is being established. */
export function isLeadershipPending(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && RETRIABLE.has(type);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `request`, retrying with backoff while the broker answers with a leadership-pending error.
 * kafkajs's admin calls (`fetchTopicOffsets`, `createTopics` with `waitForLeaders`) do not retry
 * these themselves, and a single-node broker gives them for a moment after a topic is created.
 */
export async function retryWhileLeadershipPending<T>(
  request: () => Promise<T>,
  timeoutMs = 30000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 50;
  for (;;) {
    try {
      return await request();
    } catch (error) {
      if (!isLeadershipPending(error) || Date.now() > deadline) throw error;
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 1000);
  }
}

/**
 * Resolves once every partition of `topics` has a leader that answers an offsets request, so a
 * caller can read or produce right away.
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30000,
): Promise<void> {
  await retryWhileLeadershipPending(async () => {
    const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
    for (const t of metadata.topics) {
      if (t.partitions.length === 0 || t.partitions.some((p) => p.leader < 0)) {
        throw Object.assign(new Error(`topic ${t.name} has a partition without a leader`), {
          type: 'LEADER_NOT_AVAILABLE',
        });
      }
    }
    for (const topic of topics) await admin.fetchTopicOffsets(topic);
  }, timeoutMs);
}
