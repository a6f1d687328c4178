import { type Admin } from 'kafkajs';

const RETRIABLE = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_OR_FOLLOWER']);

function isRetriableMetadataError(error: unknown): boolean {
  const type = (error as { type?: unknown } | null)?.type;
  return typeof type === 'string' && RETRIABLE.has(type);
}

/**
 * Resolves once every partition of `topics` has a leader. kafkajs's own `waitForLeaders` retries only
 * LEADER_NOT_AVAILABLE, but a just-created topic can still be unknown to the broker's metadata cache
 * for a moment (UNKNOWN_TOPIC_OR_PARTITION), so this polls and treats both as "not yet".
 */
export async function waitForTopicLeaders(
  admin: Admin,
  topics: readonly string[],
  timeoutMs = 30000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delayMs = 50;
  for (;;) {
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [...topics] });
      const ready =
        metadata.topics.length === topics.length &&
        metadata.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
      if (ready) return;
    } catch (error) {
      if (!isRetriableMetadataError(error)) throw error;
    }
    if (Date.now() > deadline) {
      throw new Error(`topics without a leader after ${timeoutMs} ms: ${topics.join(', ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    delayMs = Math.min(delayMs * 2, 1000);
  }
}
